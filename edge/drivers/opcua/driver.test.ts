import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { StatusCodes } from 'node-opcua'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { systemClock } from '../../../shared/clock.ts'
import type { Sample } from '../../../shared/wire/sample.ts'
import { startOpcuaSim, type OpcuaSim } from '../../../test/sim/opcua-sim.ts'
import { waitFor } from '../../../test/util/wait.ts'
import { createLogger } from '../../log.ts'
import { startPoller, type Poller } from '../poller.ts'
import { OpcuaDeviceConfig } from './config.ts'
import { browseOpcua } from './browse.ts'
import { createOpcuaDriver } from './index.ts'

const logs: Array<{ msg: string }> = []
const log = createLogger('opcua-test', 'warn', { write: (line: string) => void logs.push(JSON.parse(line)) })
// One PKI for the file: the edge's certificate is created once, as on a real box.
const dataDir = mkdtempSync(path.join(tmpdir(), 'parklink-opcua-driver-'))
const cleanup: Array<() => Promise<void>> = []
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c()
})
afterAll(() => rmSync(dataDir, { recursive: true, force: true }))

const LEVEL = 'fuqiang.tk201.level'
const points = [
  { id: LEVEL, nodeId: 'ns=1;s=TK201.Level' },
  { id: 'fuqiang.tk201.pressure', nodeId: 'ns=1;s=TK201.Pressure' },
  { id: 'fuqiang.gt201.cl2', nodeId: 'ns=1;s=GT201.Cl2', unit: 'ppm(v)' },
]

function run(sim: OpcuaSim, extra: Record<string, unknown> = {}, env?: Record<string, string>) {
  const config = OpcuaDeviceConfig.parse({
    id: 'fuqiang-dcs',
    kind: 'opcua',
    endpoint: sim.endpoint,
    acceptUnknownServerCertificate: true,
    pollMs: 200,
    publishingIntervalMs: 100,
    samplingIntervalMs: 100,
    timeoutMs: 3_000,
    points,
    ...extra,
  })
  if (env) Object.assign(process.env, env)
  const driver = createOpcuaDriver(config, { clock: systemClock, log, dataDir })
  const latest = new Map<string, Sample>()
  let poller: Poller | null = null
  const start = async () => {
    await driver.start()
    poller = startPoller({
      drivers: [driver],
      clock: systemClock,
      log,
      onSamples: (_d, samples) => samples.forEach((s) => latest.set(s.point, s)),
    })
  }
  cleanup.push(async () => {
    await poller?.stop()
    await driver.stop()
  })
  return { driver, latest, start }
}

const allGood = (latest: Map<string, Sample>, after = 0) =>
  points.every((p) => latest.get(p.id)?.quality === 'good' && latest.get(p.id)!.ts >= after)

describe('OPC UA driver against the simulator', () => {
  let sim: OpcuaSim
  beforeAll(async () => {
    sim = await startOpcuaSim({ users: [{ username: 'edge', password: 'demo-only-password' }] })
  })
  afterAll(async () => sim.stop())

  it("subscribes: values with source timestamps, and the control room's range, units and limits", async () => {
    const { driver, latest, start } = run(sim)
    sim.setValue('TK201.Level', 7.125)
    const before = Date.now()
    await start()
    await waitFor(() => allGood(latest), { message: () => JSON.stringify([...latest.values()]) })
    expect(latest.get(LEVEL)).toMatchObject({ value: 7.125, quality: 'good' })
    expect(latest.get(LEVEL)!.ts).toBeGreaterThanOrEqual(before - 1_000)
    expect(driver.status()).toMatchObject({ state: 'connected', lastError: null })
    expect(driver.points.find((p) => p.id === LEVEL)).toEqual({
      id: LEVEL,
      device: 'fuqiang-dcs',
      unit: 'm',
      range: { low: 0, high: 12 },
      limits: { hh: 10.5, h: 9.5, l: 1.5, ll: 0.8 },
    })
    // A configured unit wins over the server's; a detector has only upper limits.
    expect(driver.points.find((p) => p.id === 'fuqiang.gt201.cl2')).toMatchObject({
      unit: 'ppm(v)',
      limits: { hh: 2, h: 1 },
    })
    sim.setValue('TK201.Level', 8.5)
    await waitFor(() => latest.get(LEVEL)?.value === 8.5, { message: 'a change reaches the subscription' })
    sim.setValue('TK201.Level', null)
  })

  it("a listener that subscribes after the first notifications gets each point's last value at once", async () => {
    // The agent starts its drivers before the framework subscribes: a steady value's only
    // notification may come in between.
    const { driver, latest, start } = run(sim)
    sim.setValue('TK201.Level', 3.5)
    await start()
    await waitFor(() => latest.get(LEVEL)?.value === 3.5)
    const late: Sample[] = []
    const off = driver.subscribe!((samples) => late.push(...samples))
    off()
    expect(late.find((s) => s.point === LEVEL)).toMatchObject({ value: 3.5, quality: 'good' })
    expect(new Set(late.map((s) => s.point))).toEqual(new Set(points.map((p) => p.id)))
    sim.setValue('TK201.Level', null)
  })

  it('a Bad status on one node makes only that point bad, with the status name', async () => {
    const { latest, start } = run(sim)
    await start()
    await waitFor(() => allGood(latest))
    sim.setStatus('TK201.Pressure', StatusCodes.BadSensorFailure)
    try {
      await waitFor(() => latest.get('fuqiang.tk201.pressure')?.quality === 'bad')
      expect(latest.get('fuqiang.tk201.pressure')).toMatchObject({
        quality: 'bad',
        reason: 'source_status:BadSensorFailure',
      })
      expect(latest.get(LEVEL)?.quality).toBe('good')
    } finally {
      sim.setStatus('TK201.Pressure', null)
    }
  })

  it('Basic256Sha256 SignAndEncrypt with a username identity whose password comes from the environment', async () => {
    const { driver, latest, start } = run(
      sim,
      {
        securityPolicy: 'Basic256Sha256',
        securityMode: 'SignAndEncrypt',
        identity: { type: 'username', username: 'edge', passwordEnv: 'PARKLINK_TEST_OPCUA_PW' },
      },
      { PARKLINK_TEST_OPCUA_PW: 'demo-only-password' },
    )
    await start()
    await waitFor(() => allGood(latest), { message: () => JSON.stringify(driver.status()) })
  })

  it('a wrong password is a device error (bad, explained), a missing variable a config error', async () => {
    const wrong = run(
      sim,
      { identity: { type: 'username', username: 'edge', passwordEnv: 'PARKLINK_TEST_OPCUA_WRONG' } },
      { PARKLINK_TEST_OPCUA_WRONG: 'nope' },
    )
    await wrong.start()
    await waitFor(() => wrong.latest.get(LEVEL)?.quality === 'bad')
    expect(wrong.driver.status()).toMatchObject({
      state: 'disconnected',
      lastError: expect.stringMatching(/Bad|denied|rejected|identity/i),
    })
    const missing = run(sim, {
      identity: { type: 'username', username: 'edge', passwordEnv: 'PARKLINK_TEST_OPCUA_UNSET' },
    })
    await expect(missing.driver.start()).rejects.toMatchObject({
      code: 'PL_CONFIG_INVALID',
      message: expect.stringContaining('PARKLINK_TEST_OPCUA_UNSET'),
    })
  })

  it('browses the address space for technicians: the DCS folder, its tanks and their typed variables', async () => {
    const config = OpcuaDeviceConfig.parse({
      id: 'fuqiang-dcs',
      kind: 'opcua',
      endpoint: sim.endpoint,
      acceptUnknownServerCertificate: true,
      points,
    })
    const { root, truncated } = await browseOpcua(config, { dataDir, log, nodeId: 'ns=1;s=FuqiangDCS', depth: 2 })
    expect(truncated).toBe(false)
    expect(root.browseName).toBe('1:FuqiangDCS')
    expect(root.children.map((c) => c.displayName).sort()).toEqual(['GT201', 'GT202', 'TK201', 'TK202'])
    const level = root.children
      .find((c) => c.displayName === 'TK201')
      ?.children.find((c) => c.nodeId === 'ns=1;s=TK201.Level')
    expect(level).toMatchObject({
      nodeClass: 'Variable',
      dataType: 'Double',
      displayName: '液氯储罐TK-201液位',
      unit: 'm',
      range: { low: 0, high: 12 },
      limits: { hh: 10.5, h: 9.5, l: 1.5, ll: 0.8 },
    })
    const few = await browseOpcua(config, { dataDir, log, nodeId: 'ns=1;s=FuqiangDCS', depth: 3, maxNodes: 3 })
    expect(few.truncated).toBe(true)
  })

  it('poll mode reads every pollMs', async () => {
    const { latest, start } = run(sim, { mode: 'poll' })
    await start()
    await waitFor(() => allGood(latest))
    const first = latest.get(LEVEL)!.ts
    await waitFor(() => latest.get(LEVEL)!.ts > first, { message: 'a second polled read' })
  })
})

describe('OPC UA driver: servers that misbehave', () => {
  it('falls back to polled reads when the server allows no subscription', async () => {
    const sim = await startOpcuaSim({ maxSubscriptions: 0 })
    cleanup.push(() => sim.stop())
    const { latest, start, driver } = run(sim)
    logs.length = 0
    await start()
    await waitFor(() => allGood(latest), { message: () => JSON.stringify(driver.status()) })
    expect(logs.map((l) => l.msg)).toContain('the server refused a subscription: every point is polled instead')
    const first = latest.get(LEVEL)!.ts
    await waitFor(() => latest.get(LEVEL)!.ts > first)
  })

  it('restores its subscriptions by itself after a server restart: values again within 10 s', async () => {
    const sim = await startOpcuaSim()
    cleanup.push(() => sim.stop())
    const { driver, latest, start } = run(sim)
    await start()
    await waitFor(() => allGood(latest))
    await sim.stop()
    await waitFor(() => points.every((p) => latest.get(p.id)?.quality === 'bad'), {
      message: 'points bad while the server is down',
    })
    expect(driver.status().state).toBe('disconnected')
    await sim.restart()
    const back = Date.now()
    sim.setValue('TK201.Level', 3.25)
    await waitFor(() => allGood(latest, back) && latest.get(LEVEL)?.value === 3.25, {
      timeoutMs: 10_000,
      message: () => `values after restart: ${JSON.stringify([...latest.values()])}`,
    })
    expect(driver.status().state).toBe('connected')
    // Pushed, not polled: a further change arrives through the new subscription.
    sim.setValue('TK201.Level', 3.5)
    await waitFor(() => latest.get(LEVEL)?.value === 3.5)
  })
})
