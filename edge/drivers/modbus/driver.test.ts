import { afterEach, describe, expect, it } from 'vitest'
import type { Clock } from '../../../shared/clock.ts'
import { startModbusSim, type ModbusSim } from '../../../test/sim/modbus-sim.ts'
import { freePort } from '../../../test/util/ports.ts'
import { waitFor } from '../../../test/util/wait.ts'
import { createLogger } from '../../log.ts'
import type { Driver } from '../driver.ts'
import { ModbusTcpDeviceConfig } from './config.ts'
import { createModbusTcpDriver } from './index.ts'

/** A clock the test moves by hand; timers are real (the driver sets none of its own). */
function manualClock(start = 1_000_000): Clock & { advance(ms: number): void } {
  let t = start
  return {
    now: () => t,
    advance: (ms) => {
      t += ms
    },
    setTimeout: (fn, ms) => setTimeout(fn, ms),
    clearTimeout: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
  }
}

const log = createLogger('modbus-test', 'silent')
const sims: ModbusSim[] = []
const drivers: Driver[] = []
afterEach(async () => {
  await Promise.all(drivers.splice(0).map((d) => d.stop()))
  await Promise.all(sims.splice(0).map((s) => s.stop()))
})

async function sim(options: Parameters<typeof startModbusSim>[0] = {}) {
  const s = await startModbusSim(options)
  sims.push(s)
  return s
}

function driver(port: number, points: unknown[], extra: Record<string, unknown> = {}, clock: Clock = manualClock()) {
  const config = ModbusTcpDeviceConfig.parse({
    id: 'plc',
    kind: 'modbus-tcp',
    host: '127.0.0.1',
    port,
    timeoutMs: 300,
    points,
    ...extra,
  })
  const d = createModbusTcpDriver(config, { clock, log })
  drivers.push(d)
  return d
}

const values = (samples: Awaited<ReturnType<NonNullable<Driver['read']>>>) =>
  Object.fromEntries(samples.map((s) => [s.point, s.quality === 'good' ? s.value : `${s.quality}:${s.reason}`]))

describe('Modbus TCP driver against the simulator', () => {
  it('reads every table, type and byte order with scale and offset', async () => {
    const s = await sim()
    s.setValue('holding', 0, 123.456, 'float32', 'ABCD')
    s.setValue('holding', 2, -7.5, 'float32', 'CDAB')
    s.setValue('holding', 4, -100000, 'int32', 'BADC')
    s.setValue('holding', 6, 3000000000, 'uint32', 'DCBA')
    s.setValue('input', 0, -183, 'int16')
    s.setValue('input', 1, 4000, 'uint16')
    s.setCoil(5, true)
    s.setDiscrete(2, true)
    const d = driver(s.port, [
      { id: 'f.abcd', address: 'hr0', type: 'float32' },
      { id: 'f.cdab', address: 'hr2', type: 'float32', order: 'CDAB' },
      { id: 'i32', address: 40005, type: 'int32', order: 'BADC' },
      { id: 'u32', address: 'hr6', type: 'uint32', order: 'DCBA' },
      { id: 'temp', address: 'ir0', type: 'int16', scale: 0.1 },
      { id: 'ma', address: '30002', type: 'uint16', scale: 0.004, offset: -4 },
      { id: 'pump', address: 'co5' },
      { id: 'lshh', address: 'di2' },
      { id: 'off', address: 'co4' },
    ])
    await d.start()
    expect(d.status().state).toBe('connected')
    const samples = await d.read!()
    expect(values(samples)).toEqual({
      'f.abcd': 123.456,
      'f.cdab': -7.5,
      i32: -100000,
      u32: 3000000000,
      temp: -18.3,
      ma: 12,
      pump: true,
      lshh: true,
      off: false,
    })
    expect(samples.every((x) => x.ts === 1_000_000)).toBe(true)
  })

  it('coalesces neighbouring registers into one request', async () => {
    const s = await sim()
    const d = driver(
      s.port,
      Array.from({ length: 20 }, (_, i) => ({ id: `p${i}`, address: `hr${i * 2}`, type: 'float32' })),
    )
    await d.start()
    const before = s.requests
    await d.read!()
    expect(s.requests - before).toBe(1) // 40 registers, one FC 03 request
  })

  it('reads only the requested points', async () => {
    const s = await sim()
    s.setHolding(0, [1, 2])
    const d = driver(s.port, [
      { id: 'a', address: 'hr0' },
      { id: 'b', address: 'hr1' },
    ])
    await d.start()
    expect(values(await d.read!(['b']))).toEqual({ b: 2 })
  })

  it('an unreachable device gives bad samples, backs off, and recovers by itself', async () => {
    const port = await freePort()
    const clock = manualClock()
    const d = driver(port, [{ id: 'level', address: 'hr0', type: 'float32' }], {}, clock)
    await d.start() // resolves: an unreachable device is a status, not a throw
    expect(d.status()).toMatchObject({ state: 'disconnected', lastError: expect.stringMatching(/ECONNREFUSED/) })
    expect(values(await d.read!()).level).toMatch(/^bad:(unreachable|reconnect_backoff)/)
    expect(values(await d.read!()).level).toMatch(/^bad:reconnect_backoff/) // no new attempt inside the backoff
    const s = await sim({ port })
    s.setValue('holding', 0, 7.25, 'float32')
    clock.advance(31_000) // beyond the longest backoff
    expect(values(await d.read!())).toEqual({ level: 7.25 })
    expect(d.status().state).toBe('connected')
  })

  it('an absent unit id times out within timeoutMs', async () => {
    const s = await sim({ unitIds: [1] })
    const d = driver(s.port, [{ id: 'x', address: 'hr0' }], { unitId: 9 })
    await d.start()
    const started = Date.now()
    expect(values(await d.read!()).x).toMatch(/^bad:timeout/)
    expect(Date.now() - started).toBeLessThan(5_000)
    expect(d.status().state).toBe('disconnected')
  })

  it('an illegal address fails only its own request', async () => {
    const s = await sim({ size: 100 })
    s.setHolding(0, [42])
    const d = driver(s.port, [
      { id: 'ok', address: 'hr0' },
      { id: 'beyond', address: 'hr150' },
    ])
    await d.start()
    expect(values(await d.read!())).toEqual({ ok: 42, beyond: 'bad:device_exception:2 illegal data address' })
    expect(d.status()).toMatchObject({ state: 'degraded', lastError: expect.stringMatching(/1 request/) })
  })

  it('reads float64, strings and single bits of a register; refuses a string without length', async () => {
    const s = await sim()
    s.setValue('holding', 20, 1234.5678, 'float64', 'CDAB')
    s.setHolding(30, [0x5458, 0x2d31, 0x3031, 0x0000])
    s.setInput(40, [0b0000_0000_0000_0101])
    const d = driver(s.port, [
      { id: 'total', address: 'hr20', type: 'float64', order: 'CDAB' },
      { id: 'tag', address: 'hr30', type: 'string', length: 4 },
      { id: 'alarm1', address: 'ir40', bit: 0 },
      { id: 'alarm2', address: 'ir40', bit: 1 },
      { id: 'fault', address: 'ir40', bit: 2 },
    ])
    await d.start()
    expect(values(await d.read!())).toEqual({
      total: 1234.5678,
      tag: 'TX-101',
      alarm1: true,
      alarm2: false,
      fault: true,
    })
    expect(() => driver(s.port, [{ id: 'x', address: 'hr0', type: 'string' }])).toThrow(/needs its length/)
    expect(() => driver(s.port, [{ id: 'x', address: 'co0', bit: 3 }])).toThrow(/needs a 16-bit register/)
  })

  it('stop releases the connection and later reads do not reconnect', async () => {
    const s = await sim()
    const d = driver(s.port, [{ id: 'x', address: 'hr0' }])
    await d.start()
    await waitFor(() => s.connections === 1)
    await d.stop()
    await waitFor(() => s.connections === 0, { message: 'the driver left its socket open' })
    expect(values(await d.read!()).x).toMatch(/^bad:unreachable/)
    expect(s.connections).toBe(0)
    await d.stop() // idempotent
  })

  it('writes only to points configured writable', async () => {
    const s = await sim()
    const d = driver(s.port, [
      { id: 'ro', address: 'hr0' },
      { id: 'sp', address: 'hr1', type: 'int16', scale: 0.1, writable: true },
    ])
    await d.start()
    await expect(d.write!('ro', 5)).rejects.toMatchObject({
      code: 'PL_BAD_REQUEST',
      hint: expect.stringMatching(/writable: true/),
    })
    await d.write!('sp', 12.5)
    expect(s.holding(1)).toBe(125)
    expect(s.holding(0)).toBe(0)
  })

  it('refuses a register map that cannot work, at construction', () => {
    // The schema refuses these (validate shows them with their line); the driver, handed such a
    // config anyway, refuses it by the same resolution (point-check.ts).
    expect(() => driver(1, [{ id: 'x', address: 'co1', type: 'float32' }])).toThrow(/does not fit the coil table/)
    const unchecked = (points: unknown[]) =>
      ({
        ...ModbusTcpDeviceConfig.parse({
          id: 'plc',
          kind: 'modbus-tcp',
          host: '127.0.0.1',
          points: [{ id: 'ok', address: 'hr0' }],
        }),
        points,
      }) as ModbusTcpDeviceConfig
    expect(() =>
      createModbusTcpDriver(
        unchecked([{ id: 'x', address: 'co1', type: 'float32', scale: 1, offset: 0, writable: false }]),
        { clock: manualClock(), log },
      ),
    ).toThrow(/points\.0 \(x\): type float32 does not fit the coil table/)
    expect(() =>
      createModbusTcpDriver(unchecked([{ id: 'x', address: 'zz1', scale: 1, offset: 0, writable: false }]), {
        clock: manualClock(),
        log,
      }),
    ).toThrow(/points\.0 \(x\).*invalid Modbus address/)
  })
})
