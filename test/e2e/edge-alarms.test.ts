import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { CloudConfigSchema } from '../../cloud/config.ts'
import { createLogger as createCloudLogger } from '../../cloud/log.ts'
import type { RunningCloud } from '../../cloud/service.ts'
import { startEdgeAgent, type EdgeAgent } from '../../edge/agent.ts'
import { EdgeConfigSchema, resolveEdgeConfig, type DeviceConfig } from '../../edge/config.ts'
import type { Driver } from '../../edge/drivers/driver.ts'
import { createLogger } from '../../edge/log.ts'
import { startTestBroker, type TestBroker } from '../util/edge-support.ts'
import { goodSample } from '../../shared/wire/sample.ts'
import { waitFor } from '../util/wait.ts'
import { storeKey } from '../cloud/helpers.ts'
import { startTestCloud } from '../util/test-cloud.ts'

const POINT = 'shilian.tk101.level'
const LIMITS = { hh: 10.5, h: 9.5, l: 2, ll: 1, deadband: 0.1 }

/** A driver whose reading the test sets: the level of TK-101. */
function settableDriver(config: DeviceConfig) {
  let level = 7
  const driver: Driver = {
    device: config.id,
    kind: 'test',
    points: [{ id: POINT, name: 'TK-101 液位', unit: 'm' }],
    pollIntervalMs: 100,
    start: async () => {},
    stop: async () => {},
    status: () => ({ state: 'connected', since: 0, lastError: null }),
    read: async () => [goodSample(POINT, Date.now(), level)],
  }
  return { driver, set: (v: number) => void (level = v) }
}

describe('an alarm raised at the edge during an outage', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'parklink-edge-alarms-'))
  let broker: TestBroker | null = null
  let cloud: RunningCloud | null = null
  let edge: EdgeAgent | null = null
  afterEach(async () => {
    await edge?.stop()
    await cloud?.stop()
    await broker?.close()
    rmSync(dir, { recursive: true, force: true })
  })

  it('is raised locally at once, and reaches the cloud later as the same single episode, with its original time', async () => {
    broker = await startTestBroker()
    const port = broker.port
    cloud = await startTestCloud(
      CloudConfigSchema.parse({
        dataDir: path.join(dir, 'cloud'),
        http: { port: 0 },
        mqtt: { url: broker.url, clientId: 'cloud-under-test', reconnectPeriodMs: 200 },
        registry: {
          claimUnknownPoints: 'open',
          enterprises: [{ id: 'shilian', name: '实联化工' }],
          points: [
            { id: POINT, name: '液氨储罐TK-101液位', unit: 'm', enterprise: 'shilian', class: 'mhs', limits: LIMITS },
          ],
        },
      }),
      { log: createCloudLogger({ level: 'silent' }) },
    )

    const plc = { current: null as ReturnType<typeof settableDriver> | null }
    const config = resolveEdgeConfig(
      EdgeConfigSchema.parse({
        site: 'huaian',
        edge: 'shilian-01',
        dataDir: path.join(dir, 'edge'),
        uplink: {
          url: broker.url,
          ackTimeoutMs: 1_000,
          heartbeatMs: 500,
          reconnectMinMs: 100,
          reconnectMaxMs: 300,
          keepaliveS: 5,
        },
        devices: [
          {
            id: 'dcs',
            kind: 'modbus-tcp',
            host: '127.0.0.1',
            points: [{ id: POINT, address: 'hr0', type: 'float32' }],
          },
        ],
        alarms: { points: [{ id: POINT, class: 'mhs', limits: LIMITS }] },
      }),
      dir,
    )
    edge = await startEdgeAgent(config, {
      log: createLogger('edge-alarms-test', 'silent'),
      createDriver: (device) => {
        plc.current = settableDriver(device)
        return plc.current.driver
      },
    })
    const api = `${cloud.url}/api/v1`
    const key = await storeKey(cloud.store, 'park_operator')
    const fetch = (url: string) => globalThis.fetch(url, { headers: { authorization: `Bearer ${key}` } })
    await waitFor(
      async () =>
        ((await (await fetch(`${api}/points/${POINT}`)).json()) as { latest: { value: number } | null }).latest
          ?.value === 7,
    )

    // The plant's network goes down; the tank level crosses HH while it is down.
    await broker.close()
    await waitFor(() => edge!.status().uplink.connected === false)
    plc.current!.set(11)
    const local = await waitFor(() => edge!.status().alarms.find((a) => a.kind === 'HH'))
    expect(
      edge
        .status()
        .alarms.map((a) => [a.kind, a.priority])
        .sort(),
    ).toEqual([
      ['H', 'A'],
      ['HH', 'S'],
    ])
    const cloudBefore = (await (await fetch(`${api}/alarms?state=all`)).json()) as unknown[]
    expect(cloudBefore).toEqual([]) // nothing reached the park yet

    // The network is back: the backlog drains, the cloud evaluates the same samples.
    broker = await startTestBroker(port)
    // Live data goes first, so the cloud may raise HH from a live reading before the backlog is
    // in; once the backlog is, the one episode carries the original (source) time.
    const alarms = await waitFor(
      async () => {
        const list = (await (await fetch(`${api}/alarms?state=all&point=${POINT}`)).json()) as Array<{
          id: number
          kind: string
          raisedAt: number
        }>
        return list.find((a) => a.kind === 'HH')?.raisedAt === local.raisedAt ? list : null
      },
      // A bound, not a wait: on PostgreSQL under CPU load a batch can outlast the edge's 1 s ack
      // timeout, so the drain takes a few resends (test:postgres beside other jobs missed 15 s).
      { timeoutMs: 40_000, message: 'the HH episode never got the time the edge raised it' },
    )
    expect(alarms.map((a) => a.kind).sort()).toEqual(['H', 'HH']) // one episode each, not two
    const hh = alarms.find((a) => a.kind === 'HH')!
    const timeline = await waitFor(
      async () => {
        const t = (await (await fetch(`${api}/alarms/${hh.id}/timeline`)).json()) as Array<{
          action: string
          actor: string
          at: number
        }>
        return t.some((e) => e.action === 'edge_raise') ? t : null
      },
      { message: "the edge's own raise never matched the episode" },
    )
    expect(timeline.filter((e) => e.at === local.raisedAt).map((e) => [e.action, e.actor])).toEqual(
      expect.arrayContaining([
        ['raise', 'system'],
        ['edge_raise', 'edge:shilian-01'],
      ]),
    )

    // Recovered at the edge while online: still one episode, recovered on both sides.
    plc.current!.set(8)
    await waitFor(() => edge!.status().alarms.length === 0)
    await waitFor(
      async () => ((await (await fetch(`${api}/alarms?state=active&point=${POINT}`)).json()) as unknown[]).length === 0,
    )
    expect(((await (await fetch(`${api}/alarms?state=all&point=${POINT}`)).json()) as unknown[]).length).toBe(2)
  }, 60_000)
})
