import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { ErrorCodes } from '../shared/errors.ts'
import type { Sample } from '../shared/wire/sample.ts'
import { waitFor } from '../test/util/wait.ts'
import { startEdgeAgent, type EdgeAgent } from './agent.ts'
import {
  EdgeConfigSchema,
  configHash,
  devicePoints,
  resolveEdgeConfig,
  type DeviceConfig,
  type EdgeConfig,
} from './config.ts'
import type { Driver, DriverState } from './drivers/driver.ts'
import { openSqliteOutbox } from './outbox/sqlite-outbox.ts'
import {
  captureLogger,
  startFakeCloud,
  startTestBroker,
  type FakeCloud,
  type TestBroker,
} from '../test/util/edge-support.ts'

/**
 * The composition root on a real broker and a real outbox, with test doubles of the Driver
 * contract standing in for PLCs (the Modbus driver has its own conformance tests).
 */
function edgeConfig(dir: string, url: string, extra: { passwordEnv?: string } = {}): EdgeConfig {
  const device = (id: string, n: number) => ({
    id,
    kind: 'modbus-tcp',
    host: '127.0.0.1',
    pollMs: 50,
    points: Array.from({ length: n }, (_, i) => ({ id: `${id}.p${i}`, name: `点位${i}`, address: `hr${i}` })),
  })
  const parsed = EdgeConfigSchema.parse({
    site: 'park',
    edge: 'agent-1',
    dataDir: './nested/data',
    uplink: {
      url,
      batchSize: 3,
      ackTimeoutMs: 300,
      heartbeatMs: 200,
      reconnectMinMs: 50,
      reconnectMaxMs: 200,
      ...(extra.passwordEnv ? { username: 'agent-1', passwordEnv: extra.passwordEnv } : {}),
    },
    devices: [device('plc1', 4), device('plc2', 2)],
  })
  return resolveEdgeConfig(parsed, dir)
}

interface Doubles {
  reads: Map<string, number>
  events: string[]
  make: (config: DeviceConfig) => Driver
}

function doubles(
  options: {
    failStart?: string
    sample?: (point: string, n: number) => Sample
    onStop?: (device: string) => void
  } = {},
): Doubles {
  const reads = new Map<string, number>()
  const events: string[] = []
  const make = (config: DeviceConfig): Driver => {
    let state: DriverState = 'disconnected'
    return {
      device: config.id,
      kind: config.kind,
      points: devicePoints(config).map((p) => ({ id: p.id, ...(p.name ? { name: p.name } : {}) })),
      pollIntervalMs: 'pollMs' in config ? config.pollMs : 1000,
      async start() {
        events.push(`start ${config.id}`)
        if (options.failStart === config.id) throw new Error('misconfigured (test)')
        state = 'connected'
      },
      async stop() {
        events.push(`stop ${config.id}`)
        options.onStop?.(config.id)
        state = 'stopped'
      },
      status: () => ({ state, since: 1, lastError: null }),
      async read() {
        const n = (reads.get(config.id) ?? 0) + 1
        reads.set(config.id, n)
        return devicePoints(config).map(
          (p) => options.sample?.(p.id, n) ?? { point: p.id, ts: Date.now(), value: n, quality: 'good' as const },
        )
      },
    }
  }
  return { reads, events, make }
}

describe('edge agent', () => {
  let dir: string
  let broker: TestBroker
  let cloud: FakeCloud | null
  let agents: EdgeAgent[]
  let logs: ReturnType<typeof captureLogger>

  const start = async (config: EdgeConfig, d: Doubles, env: NodeJS.ProcessEnv = {}) => {
    const agent = await startEdgeAgent(config, { log: logs.log, createDriver: d.make, env })
    agents.push(agent)
    return agent
  }

  beforeEach(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'parklink-agent-'))
    broker = await startTestBroker()
    cloud = null
    agents = []
    logs = captureLogger('info')
  })
  afterEach(async () => {
    for (const a of agents) await a.stop()
    await cloud?.stop()
    await broker.close()
    rmSync(dir, { recursive: true, force: true })
  })

  it('reads, stores and delivers; status reports drivers, outbox and uplink', async () => {
    cloud = await startFakeCloud(broker.url)
    const config = edgeConfig(dir, broker.url)
    const agent = await start(config, doubles())
    await waitFor(() => cloud!.through() >= 6, { message: () => `cloud acked ${cloud!.through()}` })

    expect(existsSync(path.join(dir, 'nested/data/outbox.db'))).toBe(true)
    // batchSize 3: plc1's 4 samples per read go out as 3 + 1.
    expect(Math.max(...cloud.batches.map((b) => b.samples.length))).toBe(3)
    expect(cloud.batches.some((b) => b.samples.length === 1 && b.samples[0]?.point === 'plc1.p3')).toBe(true)
    const birth = cloud.statuses.find((s) => s.kind === 'birth')
    expect(birth).toMatchObject({
      edge: 'agent-1',
      site: 'park',
      session: agent.session,
      configHash: configHash(config),
    })
    expect(birth?.kind === 'birth' && birth.points).toEqual(
      expect.arrayContaining([{ id: 'plc2.p1', name: '点位1', device: 'plc2' }]),
    )
    expect(agent.session).toMatch(/^[0-9a-f-]{36}$/)

    const status = agent.status()
    expect(status).toMatchObject({
      edge: 'agent-1',
      session: agent.session,
      configHash: agent.configHash,
      uplink: { connected: true },
    })
    expect(status.drivers.map((d) => [d.device, d.state])).toEqual([
      ['plc1', 'connected'],
      ['plc2', 'connected'],
    ])
    expect(status.outbox.lastSeq).toBeGreaterThanOrEqual(6)
  })

  it('stops once, in reverse order: poller, uplink with its death, drivers, outbox', async () => {
    cloud = await startFakeCloud(broker.url)
    let agent: EdgeAgent | null = null
    const seenAtDriverStop: Array<{ uplinkConnected: boolean; outboxReadable: boolean }> = []
    const d = doubles({
      onStop: () => {
        const s = agent!.status() // must not throw: the outbox is still open while drivers stop
        seenAtDriverStop.push({ uplinkConnected: s.uplink.connected, outboxReadable: s.outbox.lastSeq > 0 })
      },
    })
    agent = await start(edgeConfig(dir, broker.url), d)
    await waitFor(() => cloud!.through() >= 2)
    await Promise.all([agent.stop(), agent.stop()])
    await agent.stop()

    expect(d.events.filter((e) => e.startsWith('stop'))).toEqual(['stop plc1', 'stop plc2'])
    expect(seenAtDriverStop).toEqual([
      { uplinkConnected: false, outboxReadable: true },
      { uplinkConnected: false, outboxReadable: true },
    ])
    await waitFor(() =>
      cloud!.statuses.some((s) => s.kind === 'death' && s.session === agent!.session && s.ts !== undefined),
    )
    const final = agent.status()
    expect(final.drivers.every((r) => r.state === 'stopped')).toBe(true)

    // What status() reported at the end is what the file holds.
    const reopened = openSqliteOutbox({ file: path.join(dir, 'nested/data/outbox.db') })
    expect(reopened.stats()).toEqual(final.outbox)
    reopened.close()
  })

  it('keeps reading while the park is unreachable and delivers the backlog after a restart, seq continuing', async () => {
    const startedAt = Date.now()
    const port = broker.port
    await broker.close()
    const config = edgeConfig(dir, `mqtt://127.0.0.1:${port}`)
    const offline = await start(config, doubles())
    await waitFor(() => offline.status().outbox.batches >= 6)
    expect(offline.status().uplink.connected).toBe(false)
    await offline.stop()
    const { lastSeq: held, batches: heldBatches } = offline.status().outbox

    broker = await startTestBroker(port)
    cloud = await startFakeCloud(broker.url)
    const online = await start(config, doubles())
    expect(online.session).not.toBe(offline.session)
    await waitFor(() => cloud!.through() > held, {
      timeoutMs: 15_000,
      message: () => `cloud acked ${cloud!.through()}, edge held ${held}`,
    })
    const seqs = [...new Set(cloud.batches.map((b) => b.seq))].sort((a, b) => a - b)
    // A new outbox numbers from its creation time, so a replaced outbox never reuses a seq.
    const first = held - heldBatches + 1
    expect(first).toBeGreaterThanOrEqual(startedAt)
    expect(seqs.slice(0, heldBatches)).toEqual(Array.from({ length: heldBatches }, (_, i) => first + i))
  })

  it('sends samples outside the wire contract as bad quality instead of blocking the stream', async () => {
    cloud = await startFakeCloud(broker.url)
    const d = doubles({ sample: (point, n) => ({ point, ts: Date.now() + 0.5, value: n, quality: 'good' }) })
    await start(edgeConfig(dir, broker.url), d)
    await waitFor(() => cloud!.through() >= 2)
    expect(cloud.batches[0]?.samples[0]).toMatchObject({
      quality: 'bad',
      value: null,
      reason: expect.stringMatching(/^invalid_sample:ts:/),
    })
    expect(logs.lines().some((l) => /outside the wire contract/.test(String(l.msg)))).toBe(true)
  })

  it('a driver that fails to start stops the others and rejects', async () => {
    const d = doubles({ failStart: 'plc2' })
    await expect(startEdgeAgent(edgeConfig(dir, broker.url), { log: logs.log, createDriver: d.make })).rejects.toThrow(
      /misconfigured/,
    )
    expect(d.events).toEqual(['start plc1', 'start plc2', 'stop plc1', 'stop plc2'])
    expect(d.reads.size).toBe(0)
  })

  it('refuses to start without the password variable, before creating anything', async () => {
    const config = edgeConfig(dir, broker.url, { passwordEnv: 'AGENT_TEST_PW' })
    await expect(start(config, doubles(), {})).rejects.toMatchObject({
      code: ErrorCodes.CONFIG_INVALID,
      hint: expect.stringMatching(/AGENT_TEST_PW/),
    })
    expect(existsSync(config.dataDir)).toBe(false)
  })
})
