import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { systemClock } from '../../shared/clock.ts'
import { goodSample, type Sample } from '../../shared/wire/sample.ts'
import type { Driver } from '../drivers/driver.ts'
import { createLogger } from '../log.ts'
import { startLiveness } from './liveness.ts'

const log = createLogger('liveness-test', 'silent')
const T0 = Date.UTC(2026, 0, 1)
beforeEach(() => void vi.useFakeTimers({ now: T0 }))
afterEach(() => void vi.useRealTimers())

/** A pushed driver double whose refresh() answers each asked point with its held value, stamped now. */
function pushedDriver(points: string[], refreshIntervalMs: number) {
  const calls: string[][] = []
  const driver: Driver = {
    device: 'dcs',
    kind: 'double',
    points: points.map((id) => ({ id, device: 'dcs' })),
    refreshIntervalMs,
    start: async () => {},
    stop: async () => {},
    status: () => ({ state: 'connected', since: T0, lastError: null }),
    subscribe: () => () => {},
    refresh: async (ids) => {
      calls.push([...ids])
      return ids.map((id) => goodSample(id, Date.now(), 5.25))
    },
  }
  return { driver, calls }
}

describe('liveness of pushed points', () => {
  it('a value held constant for 30 minutes is refreshed within every interval: no silence beyond 5 min, so no STALE', async () => {
    const { driver, calls } = pushedDriver(['dcs.level', 'dcs.pressure'], 240_000)
    const delivered: Sample[] = []
    const live = startLiveness({
      drivers: [driver],
      clock: systemClock,
      log,
      deliver: (_d, s) => void (delivered.push(...s), live.seen(s)),
    })
    // The subscription's first notification, then nothing: the value never changes.
    live.seen([goodSample('dcs.level', T0, 5.25), goodSample('dcs.pressure', T0, 0.6)])
    delivered.push(goodSample('dcs.level', T0, 5.25))
    await vi.advanceTimersByTimeAsync(30 * 60_000)
    const level = delivered.filter((s) => s.point === 'dcs.level').map((s) => s.ts)
    const gaps = level.slice(1).map((ts, i) => ts - level[i]!)
    expect(level.length).toBeGreaterThanOrEqual(7)
    expect(Math.max(...gaps)).toBeLessThanOrEqual(300_000) // brief §3
    // One refresh per device for all its due points, not one per node.
    expect(calls.every((c) => c.length === 2)).toBe(true)
    await live.stop()
  })

  it('a point that keeps changing is never asked for; the point report-by-exception bounds tighter is asked for sooner', async () => {
    const { driver, calls } = pushedDriver(['dcs.busy', 'dcs.steady', 'dcs.tight'], 240_000)
    const live = startLiveness({
      drivers: [driver],
      clock: systemClock,
      log,
      maxSilenceMs: (p) => (p === 'dcs.tight' ? 60_000 : Infinity),
      deliver: (_d, s) => live.seen(s),
    })
    for (let t = 0; t < 600; t++) {
      live.seen([goodSample('dcs.busy', Date.now(), t)])
      await vi.advanceTimersByTimeAsync(1_000)
    }
    const asked = calls.flat()
    expect(asked).not.toContain('dcs.busy')
    expect(asked.filter((p) => p === 'dcs.steady').length).toBe(2) // 600 s / 240 s
    expect(asked.filter((p) => p === 'dcs.tight').length).toBeGreaterThanOrEqual(8) // 600 s / 60 s (+ a tick each)
    await live.stop()
  })

  it('a refresh that fails is logged and the point asked for again after its interval; polled-only drivers are left alone', async () => {
    const { driver } = pushedDriver(['dcs.level'], 10_000)
    let asked = 0
    const failing: Driver = { ...driver, refresh: async () => (asked++, Promise.reject(new Error('bug'))) }
    const polled: Driver = { ...driver, device: 'plc', refresh: undefined, refreshIntervalMs: undefined }
    const live = startLiveness({ drivers: [failing, polled], clock: systemClock, log, deliver: () => {} })
    await vi.advanceTimersByTimeAsync(35_000)
    expect(asked).toBe(3)
    await live.stop()
  })
})
