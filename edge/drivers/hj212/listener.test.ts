import net from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import type { Clock } from '../../../shared/clock.ts'
import type { Sample } from '../../../shared/wire/sample.ts'
import { startHj212Client } from '../../../test/sim/hj212-client.ts'
import { waitFor } from '../../../test/util/wait.ts'
import { captureLogger } from '../../../test/util/edge-support.ts'
import { parseEdgeConfig } from '../../config.ts'
import { ConfigError } from '../../../shared/config.ts'
import { encodeFrame } from './codec.ts'
import { Hj212DeviceConfig } from './config.ts'
import { createHj212Driver, type Hj212Driver } from './index.ts'
import { realtimeSegment } from '../../../test/sim/hj212-client.ts'

/**
 * The HJ 212 listener's socket side: connection caps (in all, per address), idle connections
 * closed on the injected clock, the instrument password required, the listen address required.
 */
const cleanup: Array<() => Promise<void> | void> = []
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c()
})

/** Real timers (so sockets and the sweep run), but time as the test sets it: nothing idles out until it advances. */
function manualClock(): Clock & { advance(ms: number): void } {
  let now = Date.UTC(2026, 6, 6, 2, 0, 0)
  return {
    now: () => now,
    advance: (ms) => void (now += ms),
    setTimeout: (fn, ms) => globalThis.setTimeout(fn, ms),
    clearTimeout: (h) => globalThis.clearTimeout(h as ReturnType<typeof setTimeout>),
  }
}

const MN = 'A3208000000001'
const PW_ENV = 'PARKLINK_TEST_HJ212_PW'

async function listener(
  clock: Clock,
  extra: Record<string, unknown> = {},
  env: NodeJS.ProcessEnv = { [PW_ENV]: 'pw-0001' },
) {
  const logged = captureLogger('info')
  // Port 0 is no valid config (instruments need a fixed port); the test binds it after parsing.
  const config = {
    ...Hj212DeviceConfig.parse({
      id: 'env-station',
      kind: 'hj212',
      host: '127.0.0.1',
      port: 1,
      idleTimeoutMs: 1_000,
      staleAfterMs: 60_000,
      instruments: [{ mn: MN, passwordEnv: PW_ENV, points: [{ id: 'park.ws1.cod', factor: 'w01018' }] }],
      ...extra,
    }),
    port: 0,
  }
  const driver = createHj212Driver(config, { clock, log: logged.log }, env) as Hj212Driver
  const samples: Sample[] = []
  driver.subscribe!((s) => samples.push(...s))
  await driver.start()
  cleanup.push(() => driver.stop())
  return { driver, samples, port: driver.port()!, logged }
}

/** Opens `count` idle connections from one loopback address; resolves once each is connected or closed. */
async function idleSockets(
  port: number,
  from: string,
  count: number,
): Promise<Array<{ socket: net.Socket; closed: boolean }>> {
  const opened = Array.from({ length: count }, () => {
    const entry = { socket: net.connect({ port, host: '127.0.0.1', localAddress: from }), closed: false }
    entry.socket.on('error', () => {})
    entry.socket.on('close', () => (entry.closed = true))
    cleanup.push(() => void entry.socket.destroy())
    return entry
  })
  await Promise.all(
    opened.map((e) => new Promise((resolve) => (e.socket.once('connect', resolve), e.socket.once('close', resolve)))),
  )
  return opened
}

describe('HJ 212 listener: connections', () => {
  it('caps 2 000 idle connections (8 per address, 64 in all), closes the rest at once, then an instrument gets in once the idle ones time out', async () => {
    const clock = manualClock()
    const { driver, samples, port } = await listener(clock)

    // One host: 8 held, the rest closed without waiting for anything.
    const first = await idleSockets(port, '127.0.0.1', 10)
    await waitFor(() => first.filter((e) => e.closed).length === 2)
    expect(driver.counters().listener).toMatchObject({ open: 8, refused: { address_cap: 2, total_cap: 0 } })

    // 1 990 more from 199 other loopback addresses, in batches (the listen backlog is finite).
    const rest: Array<{ closed: boolean }> = []
    for (let a = 2; a <= 200; a++) rest.push(...(await idleSockets(port, `127.0.0.${a}`, 10)))
    const all = [...first, ...rest]
    expect(all).toHaveLength(2_000)
    await waitFor(() => all.filter((e) => e.closed).length === 2_000 - 64, {
      message: () => `${all.filter((e) => e.closed).length} closed, ${driver.counters().listener.open} open`,
    })
    const counts = driver.counters().listener
    expect(counts.open).toBe(64)
    expect(counts.accepted).toBe(64)
    expect(counts.refused.total_cap + counts.refused.address_cap).toBe(2_000 - 64)
    expect(counts.refused.total_cap).toBeGreaterThan(0)
    // Visible in the driver's status (parklink edge status, the heartbeat).
    expect(driver.status().counters).toMatchObject({
      open: 64,
      refused_total_cap: counts.refused.total_cap,
      refused_address_cap: counts.refused.address_cap,
      idle_closed: 0,
    })
    expect(samples).toHaveLength(0)

    // Nothing is closed for idleness until the clock says so; then every idle one goes.
    clock.advance(1_001)
    await waitFor(() => all.every((e) => e.closed), {
      message: () => `${all.filter((e) => !e.closed).length} idle connections still open`,
    })
    expect(driver.counters().listener).toMatchObject({ open: 0, idleClosed: 64 })

    const instrument = await startHj212Client({
      port,
      mn: MN,
      pw: 'pw-0001',
      factors: { w01018: () => 23.5 },
      intervalMs: 200,
    })
    cleanup.push(() => instrument.stop())
    await waitFor(() => samples.find((s) => s.point === 'park.ws1.cod' && s.value === 23.5))
  })
})

describe('HJ 212 listener: the instrument password (PW, HJ 212-2017 §6.3.2)', () => {
  it('refuses and counts a packet with a wrong or missing PW, and takes the right one', async () => {
    const clock = manualClock()
    const { driver, samples, port } = await listener(clock)
    const socket = net.connect({ port, host: '127.0.0.1' })
    cleanup.push(() => void socket.destroy())
    await new Promise((resolve) => socket.once('connect', resolve))
    socket.write(encodeFrame(realtimeSegment({ mn: MN, pw: 'guess', factors: { w01018: () => 1 } })))
    socket.write(encodeFrame(realtimeSegment({ mn: MN, factors: { w01018: () => 2 } }).replace(/;PW=[^;]*/, '')))
    socket.write(encodeFrame(realtimeSegment({ mn: MN, pw: 'pw-0001', factors: { w01018: () => 3 } })))
    await waitFor(() => samples.some((s) => s.value === 3))
    expect(samples.map((s) => s.value)).toEqual([3])
    expect(driver.counters().rejected.bad_password).toBe(2)
    expect(driver.status().counters).toMatchObject({ bad_password: 2, packets_accepted: 1 })
  })

  it('will not start when the password variable is unset; requirePassword: false takes any PW and says so in the log', async () => {
    await expect(listener(manualClock(), {}, {})).rejects.toMatchObject({
      code: 'PL_CONFIG_INVALID',
      message: expect.stringMatching(/PARKLINK_TEST_HJ212_PW is not set/),
    })
    const open = await listener(
      manualClock(),
      { instruments: [{ mn: MN, requirePassword: false, points: [{ id: 'park.ws1.cod', factor: 'w01018' }] }] },
      {},
    )
    expect(open.logged.lines()).toContainEqual(
      expect.objectContaining({ level: 40, mn: MN, msg: expect.stringMatching(/without a password check/) }),
    )
    const instrument = await startHj212Client({
      port: open.port,
      mn: MN,
      pw: 'anything',
      factors: { w01018: () => 4 },
      intervalMs: 200,
    })
    cleanup.push(() => instrument.stop())
    await waitFor(() => open.samples.some((s) => s.value === 4))
  })
})

describe('HJ 212 listener: configuration', () => {
  const yaml = (device: string) => `site: huaian
edge: e1
dataDir: ./data
uplink: { url: "mqtt://127.0.0.1:1883" }
devices:
  - id: env
    kind: hj212
${device}    port: 9212
    instruments:
      - mn: ${MN}
        points: [{ id: park.ws1.cod, factor: w01018 }]
`
  const problems = (text: string) => {
    try {
      parseEdgeConfig(text, '/etc/parklink/edge.yaml')
    } catch (err) {
      if (err instanceof ConfigError) return err.problems
      throw err
    }
    return []
  }

  it('refuses a listener without a listen host (or on every interface), and an instrument without a password, each by line with a hint', () => {
    const missing = problems(yaml(''))
    expect(missing).toContainEqual(
      expect.objectContaining({
        line: 6,
        path: 'devices.0.host',
        message: expect.stringMatching(/^required: the plant-side address .*never listens on every interface/),
      }),
    )
    expect(missing).toContainEqual(
      expect.objectContaining({
        line: 10,
        path: 'devices.0.instruments.0.passwordEnv',
        message: expect.stringMatching(/requirePassword: false/),
      }),
    )
    expect(problems(yaml('    host: 0.0.0.0\n'))).toContainEqual(
      expect.objectContaining({
        line: 8,
        path: 'devices.0.host',
        message: expect.stringMatching(/every interface is refused/),
      }),
    )
    expect(problems(yaml('    host: plant-lan\n'))).toContainEqual(
      expect.objectContaining({ path: 'devices.0.host', message: expect.stringMatching(/not an IP address/) }),
    )
    const fine = problems(
      yaml('    host: 192.168.10.5\n').replace(`mn: ${MN}`, `mn: ${MN}\n        passwordEnv: PARKLINK_HJ212_PW_WS01`),
    )
    expect(fine).toEqual([])
  })
})
