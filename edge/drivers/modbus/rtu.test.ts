import { afterEach, describe, expect, it } from 'vitest'
import { systemClock } from '../../../shared/clock.ts'
import type { Sample } from '../../../shared/wire/sample.ts'
import { startModbusRtuSim, type ModbusRtuSim } from '../../../test/sim/modbus-rtu-sim.ts'
import { waitFor } from '../../../test/util/wait.ts'
import { createLogger } from '../../log.ts'
import type { Driver } from '../driver.ts'
import { startPoller, type Poller } from '../poller.ts'
import { ModbusRtuDeviceConfig } from './config.ts'
import { createModbusRtuDriver } from './rtu.ts'

const log = createLogger('rtu-test', 'silent')
const cleanup: Array<() => Promise<void>> = []
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c()
})

async function sim(options: Parameters<typeof startModbusRtuSim>[0]) {
  const s = await startModbusRtuSim(options)
  cleanup.push(() => s.stop())
  return s
}

function run(s: ModbusRtuSim, units: unknown[]) {
  const config = ModbusRtuDeviceConfig.parse({
    id: 'gallery-485',
    kind: 'modbus-rtu',
    port: s.path,
    baudRate: s.baudRate,
    parity: 'none',
    units,
  })
  const driver: Driver = createModbusRtuDriver(config, { clock: systemClock, log })
  const samples: Sample[] = []
  const latest = new Map<string, Sample>()
  let poller: Poller | null = null
  cleanup.push(async () => {
    await poller?.stop()
    await driver.stop()
  })
  return {
    driver,
    samples,
    latest,
    async start() {
      await driver.start()
      poller = startPoller({
        drivers: [driver],
        clock: systemClock,
        log,
        onSamples: (_d, batch) =>
          batch.forEach((x) => {
            samples.push(x)
            latest.set(x.point, x)
          }),
      })
    },
  }
}

describe('Modbus RTU driver on a pseudo-terminal line', () => {
  it('polls several slaves on one line, each with its own types and cadence', async () => {
    const s = await sim({ unitIds: [1, 2] })
    s.setValue('holding', 0, 12.34, 'float32')
    s.setValue('input', 10, -55, 'int16')
    s.setCoil(3, true)
    const r = run(s, [
      {
        unitId: 1,
        pollMs: 200,
        points: [
          { id: 'g1.level', address: 'hr0', type: 'float32', unit: 'mm' },
          { id: 'g1.temp', address: 'ir10', type: 'int16', scale: 0.1 },
        ],
      },
      { unitId: 2, pollMs: 300, points: [{ id: 'g2.run', address: 'co3' }] },
    ])
    expect(r.driver.schedules?.map((x) => [x.id, x.pollIntervalMs, x.points])).toEqual([
      ['unit-1', 200, ['g1.level', 'g1.temp']],
      ['unit-2', 300, ['g2.run']],
    ])
    await r.start()
    await waitFor(() => ['g1.level', 'g1.temp', 'g2.run'].every((id) => r.latest.get(id)?.quality === 'good'), {
      message: () => JSON.stringify([...r.latest.values()]),
    })
    expect(r.latest.get('g1.level')?.value).toBeCloseTo(12.34, 5)
    expect(r.latest.get('g1.temp')?.value).toBe(-5.5)
    expect(r.latest.get('g2.run')?.value).toBe(true)
    expect(r.driver.status().state).toBe('connected')
  })

  it('an exception reply makes only the affected points bad, and the line keeps working', async () => {
    const s = await sim({ unitIds: [1], size: 100 })
    const r = run(s, [
      {
        unitId: 1,
        pollMs: 200,
        points: [
          { id: 'ok', address: 'hr0' },
          { id: 'beyond', address: 'hr150' },
        ],
      },
    ])
    await r.start()
    await waitFor(() => r.latest.get('ok')?.quality === 'good' && r.latest.get('beyond')?.quality === 'bad')
    expect(r.latest.get('beyond')?.reason).toBe('device_exception:2 illegal data address')
    expect(r.driver.status().state).toBe('connected')
  })

  it('one silent slave costs only its own timeout: the answering slave keeps its interval within 10 %', async () => {
    const s = await sim({ unitIds: [1] })
    s.setValue('holding', 0, 50.5, 'float32')
    const pollMs = 1_000
    const r = run(s, [
      // The answering slave's own timeout is generous: a loaded machine may delay the pty past 300 ms,
      // which would make one of its reads bad for a reason that is not what this test is about.
      { unitId: 1, pollMs, timeoutMs: 800, points: [{ id: 'alive.level', address: 'hr0', type: 'float32' }] },
      // Absent from the line: never answers. Its timeout is 30 % of the other slave's interval.
      { unitId: 7, pollMs, timeoutMs: 300, points: [{ id: 'silent.level', address: 'hr0', type: 'float32' }] },
    ])
    await r.start()
    await waitFor(() => r.samples.filter((x) => x.point === 'alive.level').length >= 10, { timeoutMs: 15_000 })
    const alive = r.samples.filter((x) => x.point === 'alive.level')
    expect(alive.every((x) => x.quality === 'good')).toBe(true)
    // The first read of both slaves cannot know yet that unit 7 is silent: judge the steady state.
    // A silent slave that held the line would add its 300 ms timeout to every interval. A busy
    // machine (CI, other tests) delays single reads by ±200 ms, but the schedule is fixed-rate,
    // so a late read is followed by an early one: the typical interval and the mean stay at the
    // poll interval, far from the 1 300 ms a held line would give.
    const intervals = alive
      .slice(1)
      .map((x, i) => x.ts - alive[i]!.ts)
      .slice(1)
    const sorted = [...intervals].sort((a, b) => a - b)
    const median = sorted[Math.floor(sorted.length / 2)]!
    const mean = intervals.reduce((a, b) => a + b, 0) / intervals.length
    expect(Math.abs(median - pollMs), `intervals ${intervals.join(', ')}`).toBeLessThanOrEqual(pollMs * 0.1)
    expect(mean, `intervals ${intervals.join(', ')}`).toBeLessThan(pollMs + 300 / 2)
    // The silent slave is reported, not hidden, and it was probed again (but not every poll).
    const silent = r.samples.filter((x) => x.point === 'silent.level')
    expect(silent.every((x) => x.quality === 'bad')).toBe(true)
    expect(silent.some((x) => x.reason?.startsWith('timeout'))).toBe(true)
    expect(silent.some((x) => x.reason?.startsWith('reconnect_backoff:unit 7'))).toBe(true)
    expect(r.driver.status()).toMatchObject({ state: 'degraded', lastError: expect.stringContaining('unit 7') })
  }, 30_000)
})
