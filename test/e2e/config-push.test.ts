import { randomUUID, generateKeyPairSync } from 'node:crypto'
import { createServer, type Server } from 'node:net'
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import mqtt from 'mqtt'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { parse } from 'yaml'
import { CloudConfigSchema } from '../../cloud/config.ts'
import { createLogger as createCloudLogger } from '../../cloud/log.ts'
import type { RunningCloud } from '../../cloud/service.ts'
import { createLogger } from '../../edge/log.ts'
import { startSupervisedEdge, type SupervisedEdge } from '../../edge/supervisor.ts'
import type { ConfigBundle } from '../../shared/wire/bundle.ts'
import { signBundle, signingKeyOf } from '../../shared/wire/bundle-signature.ts'
import { decodeCommandResponse, encode } from '../../shared/wire/codec.ts'
import type { Command, CommandResponse } from '../../shared/wire/command.ts'
import { WIRE_VERSION } from '../../shared/wire/messages.ts'
import { storeKey } from '../cloud/helpers.ts'
import { bearer } from '../util/http.ts'
import { createMosquitto, type Mosquitto } from '../util/mosquitto.ts'
import { freePort } from '../util/ports.ts'
import { waitFor } from '../util/wait.ts'
import { startTestCloud } from '../util/test-cloud.ts'

/**
 * Issue 19 on real parts (Debian's mosquitto, the cloud service, a supervised edge agent): the
 * park pushes an edge its config with the registry's rules, signed with its SM2 key; forged,
 * foreign, replayed and unstartable bundles are refused or rolled back, the edge keeps running
 * its previous config, and the park sees the reason and the drift.
 */
interface EdgeView {
  id: string
  online: boolean
  configHash: string | null
  expectedConfigHash: string | null
  drift: boolean
  lastPush: { outcome: string | null; error: { code: string; message: string } | null } | null
}
interface PushAnswer {
  ok: boolean
  outcome: string | null
  configHash: string | null
  rules: number
  error: { code: string; message: string } | null
}

const SITE = 'huaian'
const EDGE = 'e1'
const pem = (kind: 'sm2' | 'ed25519') => {
  const pair = kind === 'sm2' ? generateKeyPairSync('ec', { namedCurve: 'SM2' }) : generateKeyPairSync('ed25519')
  return {
    privatePem: pair.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    publicPem: pair.publicKey.export({ type: 'spki', format: 'pem' }).toString(),
  }
}

describe('the park pushes an edge its configuration (signed bundle over the command channel)', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'parklink-config-push-'))
  const park = pem('sm2')
  let mosquitto: Mosquitto
  let cloud: RunningCloud
  let edge: SupervisedEdge
  let busy: Server
  let busyPort: number
  let plc: number
  let url: string
  let api: string
  let auth: Record<string, string>
  const file = path.join(dir, 'edge.yaml')

  const edgeYaml = (pollMs: number, extra = '') =>
    [
      `site: ${SITE}`,
      `edge: ${EDGE}`,
      'dataDir: ./data',
      `uplink: { url: "${url}", reconnectMinMs: 100, reconnectMaxMs: 300, heartbeatMs: 500 }`,
      `park: { publicKeyFile: ./park.pub }`,
      'devices:',
      `  - { id: plc, kind: modbus-tcp, host: 127.0.0.1, port: ${plc}, pollMs: ${pollMs}, points: [{ id: e1.level, address: hr0 }, { id: e1.switch, address: hr1 }] }`,
      extra,
      '',
    ].join('\n')
  const edgeView = async () =>
    ((await (await fetch(`${api}/edges`, { headers: auth })).json()) as EdgeView[]).find((e) => e.id === EDGE)
  const push = async (configYaml?: string) => {
    const res = await fetch(`${api}/edges/${EDGE}/config?timeoutS=60`, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json' },
      body: JSON.stringify(configYaml === undefined ? {} : { configYaml }),
    })
    expect(res.status).toBe(200)
    return (await res.json()) as PushAnswer
  }
  /** A config.push straight on the edge's command topic, as anyone with broker access could send. */
  const rawPush = async (bundle: ConfigBundle, signerPem: string): Promise<CommandResponse> => {
    const client = await mqtt.connectAsync(url, { clientId: `raw-${randomUUID()}` })
    try {
      const id = randomUUID()
      const answer = new Promise<CommandResponse>((resolve) =>
        client.on('message', (_t, payload) => {
          const r = decodeCommandResponse(payload)
          if (r.ok && r.value.id === id) resolve(r.value)
        }),
      )
      await client.subscribeAsync(`parklink/v1/${SITE}/${EDGE}/resp`, { qos: 1 })
      const signed = signBundle(bundle, signingKeyOf(signerPem))
      const cmd: Command = {
        v: WIRE_VERSION,
        id,
        edge: EDGE,
        ts: Date.now(),
        cmd: { type: 'config.push', bundle: signed },
      }
      await client.publishAsync(`parklink/v1/${SITE}/${EDGE}/cmd`, encode(cmd), { qos: 1 })
      return await waitFor(() => Promise.race([answer, null]), {
        timeoutMs: 30_000,
        message: 'no answer to the raw push',
      })
    } finally {
      await client.endAsync()
    }
  }

  beforeAll(async () => {
    const port = await freePort()
    plc = await freePort() // nothing listens: the points read bad, the agent runs
    busy = createServer()
    await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', resolve))
    busyPort = (busy.address() as { port: number }).port
    mosquitto = createMosquitto(port)
    await mosquitto.start()
    url = `mqtt://127.0.0.1:${port}`
    writeFileSync(path.join(dir, 'park.key'), park.privatePem, { mode: 0o600 })
    writeFileSync(path.join(dir, 'park.pub'), park.publicPem)
    cloud = await startTestCloud(
      CloudConfigSchema.parse({
        dataDir: path.join(dir, 'cloud'),
        http: { port: 0 },
        mqtt: { url, clientId: 'cloud-config-push', reconnectPeriodMs: 200 },
        bundles: { signingKeyFile: path.join(dir, 'park.key') },
        registry: {
          enterprises: [{ id: 'shilian', name: '实联化工' }],
          edges: [{ id: EDGE, site: SITE, enterprise: 'shilian' }],
          points: [
            {
              id: 'e1.level',
              name: 'level',
              enterprise: 'shilian',
              edge: EDGE,
              class: 'mhs',
              unit: 'm',
              limits: { hh: 9, h: 8, deadband: 0.1 },
              rules: { onDelayS: 5, roc: { limitPerMin: 1, windowS: 60 } },
            },
            {
              id: 'e1.switch',
              name: 'switch',
              enterprise: 'shilian',
              edge: EDGE,
              class: 'general',
              rules: { digital: { alarmOn: true } },
            },
          ],
        },
      }),
      { log: createCloudLogger({ level: 'silent' }) },
    )
    api = `${cloud.url}/api/v1`
    auth = bearer(await storeKey(cloud.store, 'park_admin'))
    writeFileSync(file, edgeYaml(1_000))
    edge = await startSupervisedEdge(file, createLogger('config-push-e2e', 'silent'), { watchIntervalMs: 3_600_000 })
    await waitFor(async () => (await edgeView())?.online === true, { timeoutMs: 30_000, message: 'edge online' })
  }, 60_000)

  afterAll(async () => {
    await edge?.stop()
    await cloud?.stop()
    await mosquitto?.dispose()
    await new Promise<void>((resolve) => (busy ? busy.close(() => resolve()) : resolve()))
    rmSync(dir, { recursive: true, force: true })
  })

  it('applies a signed bundle: the rules from the registry reach the edge, its hash changes, no drift', async () => {
    const before = edge.agent().configHash
    expect(await edgeView()).toMatchObject({ drift: false, expectedConfigHash: null, lastPush: null })
    const answer = await push(edgeYaml(2_000))
    expect(answer).toMatchObject({ ok: true, outcome: 'applied', rules: 2, error: null })
    expect(answer.configHash).not.toBe(before)
    expect(answer.configHash).toBe(edge.agent().configHash)
    // The full rule set, as the cloud evaluates it, now in the edge's config file.
    const alarms = parse(readFileSync(file, 'utf8')).alarms
    expect(alarms.points).toEqual([
      {
        id: 'e1.level',
        class: 'mhs',
        limits: { hh: 9, h: 8, deadband: 0.1 },
        rules: { onDelayMs: 5_000, roc: { limit: 1, deadband: 0, windowMs: 60_000, perMs: 60_000 } },
      },
      { id: 'e1.switch', class: 'general', limits: null, rules: { digital: { alarmOn: true } } },
    ])
    expect(statSync(path.join(dir, 'data', 'park-bundle.json')).mode & 0o777).toBe(0o600)
    const view = await waitFor(
      async () => {
        const v = await edgeView()
        return v?.configHash === answer.configHash ? v : null
      },
      { timeoutMs: 30_000, message: 'the cloud never saw the new hash' },
    )
    expect(view).toMatchObject({
      drift: false,
      expectedConfigHash: answer.configHash,
      lastPush: { outcome: 'applied' },
    })
  }, 90_000)

  it('refuses a forged bundle, one for another edge and an older one; the edge keeps its config', async () => {
    const running = edge.agent().configHash
    const text = readFileSync(file, 'utf8')
    const bundle: ConfigBundle = {
      v: 1,
      edge: EDGE,
      issuedAt: Date.now() + 60_000,
      configYaml: edgeYaml(3_000),
      rules: { points: [] },
    }
    const forged = await rawPush(bundle, pem('sm2').privatePem)
    expect(forged).toMatchObject({ ok: false, error: { code: 'PL_BUNDLE_SIGNATURE' } })
    expect(forged.result).toMatchObject({ type: 'config.push', outcome: 'refused', configHash: running })
    const foreign = await rawPush({ ...bundle, edge: 'e2' }, park.privatePem)
    expect(foreign).toMatchObject({ ok: false, error: { code: 'PL_BUNDLE_WRONG_EDGE' } })
    const older = await rawPush({ ...bundle, issuedAt: 1 }, park.privatePem)
    expect(older).toMatchObject({ ok: false, error: { code: 'PL_BUNDLE_STALE' } })
    expect(edge.agent().configHash).toBe(running)
    expect(readFileSync(file, 'utf8')).toBe(text)
  }, 90_000)

  it('rolls back a bundle that cannot start: the previous config runs, the park is told why, no drift', async () => {
    const running = edge.agent().configHash
    const unstartable = edgeYaml(
      2_500,
      `console: { listen: "127.0.0.1:${busyPort}", passwordEnv: PUSH_TEST_CONSOLE_PW }`,
    )
    process.env.PUSH_TEST_CONSOLE_PW = 'console-password-for-the-test'
    try {
      const answer = await push(unstartable)
      expect(answer).toMatchObject({ ok: false, outcome: 'rolled-back', configHash: running })
      expect(answer.error?.code).toBe('PL_BUNDLE_ROLLED_BACK')
    } finally {
      delete process.env.PUSH_TEST_CONSOLE_PW
    }
    expect(edge.agent().configHash).toBe(running)
    const view = await waitFor(
      async () => {
        const v = await edgeView()
        return v?.online && v.configHash === running ? v : null
      },
      { timeoutMs: 30_000, message: 'the edge is not back with its previous config' },
    )
    expect(view).toMatchObject({
      drift: false,
      lastPush: { outcome: 'rolled-back', error: { code: 'PL_BUNDLE_ROLLED_BACK' } },
    })
  }, 90_000)
})
