import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { systemClock } from '../../shared/clock.ts'
import { goodSample, type Sample } from '../../shared/wire/sample.ts'
import { createLogger } from '../log.ts'
import type { Driver, DriverStatus } from './driver.ts'
import { QualityReasons } from '../../shared/quality.ts'
import { startPoller, type Poller } from './poller.ts'

const T0 = Date.UTC(2025, 0, 1)

/** A test double of the Driver contract: `onRead` decides what each read does. */
function fakeDriver(device: string, pollIntervalMs: number, onRead: (n: number) => Promise<Sample[]> | Sample[]) {
  const readsAt: number[] = []
  let active = 0
  let maxActive = 0
  const status: DriverStatus = { state: 'connected', since: T0, lastError: null }
  const driver: Driver = {
    device,
    kind: 'fake',
    points: [{ id: `${device}.a` }, { id: `${device}.b` }],
    pollIntervalMs,
    start: async () => {},
    stop: async () => {},
    status: () => status,
    async read() {
      readsAt.push(Date.now() - T0)
      active++
      maxActive = Math.max(maxActive, active)
      try {
        return await onRead(readsAt.length)
      } finally {
        active--
      }
    },
  }
  return { driver, readsAt, maxActive: () => maxActive }
}

const ok = (device: string) => () => [
  goodSample(`${device}.a`, Date.now(), 1),
  goodSample(`${device}.b`, Date.now(), 2),
]
const after = <T>(ms: number, value: T) => new Promise<T>((resolve) => setTimeout(() => resolve(value), ms))
const never = () => new Promise<Sample[]>(() => {})

describe('poller', () => {
  let poller: Poller | null
  let received: Array<{ device: string; at: number; samples: Sample[] }>
  let logs: Array<{ level: number; msg: string; [k: string]: unknown }>
  const log = createLogger('poller-test', 'debug', { write: (line: string) => void logs.push(JSON.parse(line)) })

  const start = (drivers: Driver[], extra: Partial<Parameters<typeof startPoller>[0]> = {}) => {
    poller = startPoller({
      drivers,
      clock: systemClock,
      log,
      onSamples: (device, samples) => received.push({ device, at: Date.now() - T0, samples }),
      ...extra,
    })
    return poller
  }

  beforeEach(() => {
    vi.useFakeTimers({ now: T0 })
    poller = null
    received = []
    logs = []
  })
  afterEach(async () => {
    const stopping = poller?.stop()
    await vi.runOnlyPendingTimersAsync()
    await stopping
    vi.useRealTimers()
  })

  it('reads at once, then on a fixed grid', async () => {
    const d = fakeDriver('plc1', 1000, ok('plc1'))
    start([d.driver])
    await vi.advanceTimersByTimeAsync(5_000)
    expect(d.readsAt).toEqual([0, 1000, 2000, 3000, 4000, 5000])
    expect(received.map((r) => r.at)).toEqual([0, 1000, 2000, 3000, 4000, 5000])
    expect(received[0]).toMatchObject({
      device: 'plc1',
      samples: [{ point: 'plc1.a', quality: 'good' }, { point: 'plc1.b' }],
    })
  })

  it('does not drift when each read takes time', async () => {
    const d = fakeDriver('plc1', 1000, () => after(300, ok('plc1')()))
    start([d.driver])
    await vi.advanceTimersByTimeAsync(4_500)
    expect(d.readsAt).toEqual([0, 1000, 2000, 3000, 4000])
    expect(received.map((r) => r.at)).toEqual([300, 1300, 2300, 3300, 4300])
  })

  it('skips ticks missed by an overlong read instead of piling up, never two reads at once', async () => {
    const d = fakeDriver('plc1', 1000, () => after(2_500, ok('plc1')()))
    start([d.driver])
    await vi.advanceTimersByTimeAsync(9_500)
    expect(d.readsAt).toEqual([0, 3000, 6000, 9000])
    expect(d.maxActive()).toBe(1)
    expect(logs.filter((l) => /skipping ticks/.test(l.msg))).toHaveLength(1)
  })

  it('turns a throwing, rejecting or misbehaving read into bad samples and keeps polling', async () => {
    const d = fakeDriver('plc1', 1000, (n) => {
      if (n === 1) throw new Error('socket exploded')
      if (n === 2) return Promise.reject(new Error('socket exploded'))
      if (n === 3) return 'nonsense' as unknown as Sample[]
      return ok('plc1')()
    })
    start([d.driver])
    await vi.advanceTimersByTimeAsync(4_000)
    expect(d.readsAt).toEqual([0, 1000, 2000, 3000, 4000])
    const qualities = received.map((r) => r.samples.map((s) => `${s.point}:${s.quality}:${s.reason ?? ''}`))
    expect(qualities[0]).toEqual([
      `plc1.a:bad:${QualityReasons.DRIVER_ERROR}:socket exploded`,
      `plc1.b:bad:${QualityReasons.DRIVER_ERROR}:socket exploded`,
    ])
    expect(qualities[2]?.[0]).toMatch(/^plc1\.a:bad:driver_error:read\(\) resolved to string/)
    expect(qualities[3]).toEqual(['plc1.a:good:', 'plc1.b:good:'])
    // Logged once per distinct error, and once when it reads again.
    expect(logs.filter((l) => /contract violation/.test(l.msg)).map((l) => l.err)).toEqual([
      'socket exploded',
      expect.stringMatching(/^read\(\) resolved/),
    ])
    expect(logs.filter((l) => l.msg === 'driver reads again')).toHaveLength(1)
  })

  it('a slow or hung device never delays another', async () => {
    const hung = fakeDriver('hung', 1000, never)
    const slow = fakeDriver('slow', 1000, () => after(5_000, ok('slow')()))
    const fast = fakeDriver('fast', 1000, ok('fast'))
    start([hung.driver, slow.driver, fast.driver], { stopTimeoutMs: 100 })
    await vi.advanceTimersByTimeAsync(4_000)
    expect(fast.readsAt).toEqual([0, 1000, 2000, 3000, 4000])
    expect(hung.readsAt).toEqual([0])
    expect(slow.readsAt).toEqual([0])
  })

  it('reports a hung read as stalled, at the poll rate, until it returns', async () => {
    let release: (s: Sample[]) => void = () => {}
    const d = fakeDriver('plc1', 1000, (n) => (n === 1 ? new Promise<Sample[]>((r) => (release = r)) : ok('plc1')()))
    start([d.driver], { stallAfterMs: () => 5_000 })
    await vi.advanceTimersByTimeAsync(7_000)
    expect(received.map((r) => [r.at, r.samples[0]?.reason])).toEqual([
      [5000, QualityReasons.DRIVER_STALLED],
      [6000, QualityReasons.DRIVER_STALLED],
      [7000, QualityReasons.DRIVER_STALLED],
    ])
    release(ok('plc1')())
    await vi.advanceTimersByTimeAsync(1_000)
    // Returned at 7000, on the grid: the tick due then runs at once, the next one on time.
    expect(d.readsAt).toEqual([0, 7000, 8000])
    expect(received.at(-1)?.samples[0]?.quality).toBe('good')
    expect(received.filter((r) => r.at > 7000).every((r) => r.samples[0]?.quality === 'good')).toBe(true)
  })

  it('keeps polling when the consumer of samples throws', async () => {
    const d = fakeDriver('plc1', 1000, ok('plc1'))
    start([d.driver], {
      onSamples: () => {
        throw new Error('disk full')
      },
    })
    await vi.advanceTimersByTimeAsync(2_000)
    expect(d.readsAt).toEqual([0, 1000, 2000])
    expect(logs.filter((l) => /could not be handed on/.test(l.msg))).toHaveLength(3)
  })

  it('re-anchors the grid when the wall clock is stepped backwards', async () => {
    const d = fakeDriver('plc1', 1000, (n) => {
      if (n === 2) vi.setSystemTime(Date.now() - 3_600_000) // NTP corrects a fast RTC by an hour
      return ok('plc1')()
    })
    start([d.driver])
    await vi.advanceTimersByTimeAsync(3_000)
    expect(d.readsAt).toEqual([0, 1000, 2000 - 3_600_000, 3000 - 3_600_000])
  })

  it('stop clears the timers and waits for the read in flight, whose samples are kept', async () => {
    const d = fakeDriver('plc1', 1000, () => after(400, ok('plc1')()))
    const p = start([d.driver])
    await vi.advanceTimersByTimeAsync(1_100)
    let stopped = false
    const stopping = p.stop().then(() => (stopped = true))
    await vi.advanceTimersByTimeAsync(100)
    expect(stopped).toBe(false)
    await vi.advanceTimersByTimeAsync(200)
    await stopping
    expect(received.map((r) => r.at)).toEqual([400, 1400])
    expect(vi.getTimerCount()).toBe(0)
    await vi.advanceTimersByTimeAsync(5_000)
    expect(d.readsAt).toEqual([0, 1000])
  })

  it('stop gives up on a hung read after the stop timeout', async () => {
    const d = fakeDriver('plc1', 1000, never)
    const p = start([d.driver], { stopTimeoutMs: 2_000 })
    await vi.advanceTimersByTimeAsync(10)
    const stopping = p.stop()
    await vi.advanceTimersByTimeAsync(2_000)
    await stopping
    expect(logs.some((l) => /without waiting/.test(l.msg))).toBe(true)
  })

  it('subscribes pushed drivers and unsubscribes them on stop', async () => {
    let push: ((s: Sample[]) => void) | null = null
    const unsubscribe = vi.fn(() => {
      push = null
    })
    const driver: Driver = {
      device: 'ua1',
      kind: 'fake-push',
      points: [{ id: 'ua1.x' }],
      start: async () => {},
      stop: async () => {},
      status: () => ({ state: 'connected', since: T0, lastError: null }),
      subscribe(on) {
        push = on
        return unsubscribe
      },
    }
    const p = start([driver])
    push!([goodSample('ua1.x', T0, 3)])
    push!([])
    expect(received).toEqual([{ device: 'ua1', at: 0, samples: [goodSample('ua1.x', T0, 3)] }])
    await p.stop()
    expect(unsubscribe).toHaveBeenCalledTimes(1)
  })

  it('runs one loop per schedule, each reading only its points at its own cadence', async () => {
    const calls: Array<{ at: number; points: readonly string[] | undefined }> = []
    const driver: Driver = {
      device: 'bus1',
      kind: 'fake-bus',
      points: [{ id: 'u1.a' }, { id: 'u2.a' }],
      schedules: [
        { id: 'unit-1', pollIntervalMs: 1000, points: ['u1.a'] },
        { id: 'unit-2', pollIntervalMs: 2500, points: ['u2.a'] },
      ],
      pollIntervalMs: 100, // ignored when schedules are given
      start: async () => {},
      stop: async () => {},
      status: () => ({ state: 'connected', since: T0, lastError: null }),
      async read(points) {
        calls.push({ at: Date.now() - T0, points })
        if (points?.[0] === 'u2.a') throw new Error('boom')
        return (points ?? []).map((id) => goodSample(id, Date.now(), 1))
      },
    }
    const p = start([driver])
    await vi.advanceTimersByTimeAsync(5_000)
    await p.stop()
    expect(calls.filter((c) => c.points?.[0] === 'u1.a').map((c) => c.at)).toEqual([0, 1000, 2000, 3000, 4000, 5000])
    expect(calls.filter((c) => c.points?.[0] === 'u2.a').map((c) => c.at)).toEqual([0, 2500, 5000])
    // A failing schedule reports only its own points bad.
    const bad = received.flatMap((r) => r.samples).filter((s) => s.quality === 'bad')
    expect(new Set(bad.map((s) => s.point))).toEqual(new Set(['u2.a']))
  })

  it('subscribes and polls a driver that has both (subscriptions with a polled fallback)', async () => {
    let push: ((s: Sample[]) => void) | null = null
    const reads: number[] = []
    const driver: Driver = {
      device: 'ua2',
      kind: 'fake-both',
      points: [{ id: 'ua2.x' }, { id: 'ua2.y' }],
      pollIntervalMs: 1000,
      start: async () => {},
      stop: async () => {},
      status: () => ({ state: 'connected', since: T0, lastError: null }),
      subscribe(on) {
        push = on
        return () => {
          push = null
        }
      },
      async read() {
        reads.push(Date.now() - T0)
        return [goodSample('ua2.y', Date.now(), 2)]
      },
    }
    const p = start([driver])
    push!([goodSample('ua2.x', T0, 1)])
    await vi.advanceTimersByTimeAsync(2_000)
    await p.stop()
    expect(push).toBeNull()
    expect(reads).toEqual([0, 1000, 2000])
    expect(received.flatMap((r) => r.samples.map((s) => s.point))).toEqual(['ua2.x', 'ua2.y', 'ua2.y', 'ua2.y'])
  })

  describe("readNow (the cloud's read command)", () => {
    it('reads one point after the read in flight, never alongside it, and hands the sample on', async () => {
      const d = fakeDriver('plc', 1_000, (n) => (n === 1 ? after(300, ok('plc')()) : ok('plc')()))
      start([d.driver])
      await vi.advanceTimersByTimeAsync(10) // the first scheduled read is in flight
      const asked = poller!.readNow('plc.b')
      await vi.advanceTimersByTimeAsync(400)
      expect(await asked).toMatchObject({ point: 'plc.b', value: 2, quality: 'good' })
      expect(d.maxActive()).toBe(1)
      expect(received.at(-1)?.samples).toEqual([expect.objectContaining({ point: 'plc.b' })])
    })

    it('refuses a point no polled device reads, and gives up on a device whose reads hang', async () => {
      const d = fakeDriver('plc', 1_000, never)
      start([d.driver])
      await expect(poller!.readNow('nowhere.x')).rejects.toMatchObject({ code: 'PL_NOT_FOUND' })
      const asked = poller!.readNow('plc.a', 5_000)
      const outcome = expect(asked).rejects.toMatchObject({
        code: 'PL_DEVICE_TIMEOUT',
        message: expect.stringMatching(/plc/),
      })
      await vi.advanceTimersByTimeAsync(5_000)
      await outcome
    })
  })
})
