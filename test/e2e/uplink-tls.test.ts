import { execFileSync } from 'node:child_process'
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startEdgeAgent, type EdgeAgent } from '../../edge/agent.ts'
import { parseEdgeConfig } from '../../edge/config.ts'
import { createLogger } from '../../edge/log.ts'
import { startChild, stopAll } from '../util/child.ts'
import { mosquittoBinary } from '../util/mosquitto.ts'
import { freePort, waitForPort } from '../util/ports.ts'
import { waitFor } from '../util/wait.ts'

/**
 * mqtts to a broker of the park's own PKI (Debian's mosquitto, certificates made by openssl
 * for this run): the edge trusts the park CA from uplink.tls.ca and logs in with its own
 * certificate (the broker takes the certificate's CN, {site}/{edge}, as the user name); without a
 * certificate the broker refuses it, and a certificate naming another edge is refused before start.
 */
describe('uplink over TLS with a client certificate', () => {
  let dir: string
  let port: number
  const agents: EdgeAgent[] = []
  const log = createLogger('tls-test', 'silent')
  const ssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' })
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes']
  const sign = (name: string, ext: string) => {
    ssl(
      'req',
      ...ec,
      '-keyout',
      `${name}.key`,
      '-out',
      `${name}.csr`,
      '-subj',
      `/CN=${name === 'server' ? '127.0.0.1' : 'huaian\\/shilian-01'}`,
    )
    writeFileSync(path.join(dir, `${name}.ext`), ext)
    ssl(
      'x509',
      '-req',
      '-in',
      `${name}.csr`,
      '-CA',
      'ca.crt',
      '-CAkey',
      'ca.key',
      '-CAcreateserial',
      '-out',
      `${name}.crt`,
      '-days',
      '1',
      '-extfile',
      `${name}.ext`,
    )
  }

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'parklink-tls-'))
    ssl(
      'req',
      '-x509',
      ...ec,
      '-keyout',
      'ca.key',
      '-out',
      'ca.crt',
      '-subj',
      '/CN=parklink test park CA',
      '-days',
      '1',
    )
    sign('server', 'subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n')
    sign('client', 'extendedKeyUsage=clientAuth\n')
    // Run as root, mosquitto drops to its own user before reading the certificates: let it read them (test files only).
    chmodSync(dir, 0o755)
    for (const f of ['ca.crt', 'server.crt', 'server.key']) chmodSync(path.join(dir, f), 0o644)
    port = await freePort()
    writeFileSync(
      path.join(dir, 'mosquitto.conf'),
      [
        `listener ${port} 127.0.0.1`,
        `cafile ${dir}/ca.crt`,
        `certfile ${dir}/server.crt`,
        `keyfile ${dir}/server.key`,
        'require_certificate true',
        'use_identity_as_username true',
        'allow_anonymous false',
        'persistence false',
        'log_dest stdout',
        '',
      ].join('\n'),
    )
    const broker = startChild('mosquitto-tls', mosquittoBinary(), ['-c', path.join(dir, 'mosquitto.conf')])
    await waitForPort(port, 10_000).catch((err: Error) => {
      throw new Error(`${err.message}\n${broker.output()}`)
    })
  }, 30_000)
  afterAll(async () => {
    await Promise.all(agents.map((a) => a.stop()))
    await stopAll()
    rmSync(dir, { recursive: true, force: true })
  })

  const config = (name: string, tls: string) =>
    parseEdgeConfig(
      [
        'site: huaian',
        `edge: ${name}`,
        `dataDir: ./${name}`,
        `uplink: { url: "mqtts://127.0.0.1:${port}", reconnectMinMs: 100, reconnectMaxMs: 300, tls: ${tls} }`,
        'devices: []',
        '',
      ].join('\n'),
      path.join(dir, `${name}.yaml`),
    )

  it('connects with the park CA and its own certificate (paths relative to the config)', async () => {
    const agent = await startEdgeAgent(config('shilian-01', '{ ca: ca.crt, cert: client.crt, key: client.key }'), {
      log,
    })
    agents.push(agent)
    await waitFor(() => agent.status().uplink.connected, {
      timeoutMs: 15_000,
      message: () => `uplink not connected: ${agent.status().uplink.lastError}`,
    })
  })

  it('is refused by the broker without a client certificate', async () => {
    const agent = await startEdgeAgent(config('anonymous', '{ ca: ca.crt }'), { log })
    agents.push(agent)
    await waitFor(() => /certificate required/.test(agent.status().uplink.lastError ?? ''), {
      timeoutMs: 15_000,
      message: () => `no refusal: ${agent.status().uplink.lastError}`,
    })
    expect(agent.status().uplink.connected).toBe(false)
    expect(agent.status().uplink.lastError).toMatch(/certificate required/)
  })

  it("refuses to start with another edge's certificate, naming the file and the field", async () => {
    await expect(
      startEdgeAgent(config('shilian-02', '{ ca: ca.crt, cert: client.crt, key: client.key }'), { log }),
    ).rejects.toMatchObject({
      code: 'PL_CONFIG_INVALID',
      message: expect.stringMatching(
        /^uplink\.tls\.cert: .*client\.crt: the certificate's CN is "huaian\/shilian-01", this edge is "huaian\/shilian-02"/,
      ),
    })
  })

  it('refuses a config whose certificate file is missing, or tls on a plain mqtt:// url', async () => {
    await expect(
      startEdgeAgent(config('missing', '{ ca: ca.crt, cert: nope.crt, key: client.key }'), { log }),
    ).rejects.toMatchObject({
      code: 'PL_CONFIG_INVALID',
      message: expect.stringMatching(/uplink\.tls\.cert: cannot read .*nope\.crt/),
    })
    expect(() =>
      parseEdgeConfig(
        `site: a\nedge: b\ndataDir: ./d\nuplink: { url: "mqtt://127.0.0.1:1", tls: { ca: ca.crt } }\ndevices: []\n`,
        path.join(dir, 'x.yaml'),
      ),
    ).toThrow(/tls needs an mqtts/)
    expect(() =>
      parseEdgeConfig(
        `site: a\nedge: b\ndataDir: ./d\nuplink: { url: "mqtts://127.0.0.1:1", tls: { cert: c.crt } }\ndevices: []\n`,
        path.join(dir, 'x.yaml'),
      ),
    ).toThrow(/give cert and key together/)
  })
})
