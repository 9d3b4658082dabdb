import type { Logger } from 'pino'
import type { Clock } from '../../shared/clock.ts'
import { errorMessage } from '../../shared/errors.ts'
import { startPeriodic } from '../../shared/periodic.ts'
import type { Sample } from '../../shared/wire/sample.ts'
import type { Driver } from '../drivers/driver.ts'

/**
 * Every pushed point proves it is alive (issue 14; brief §3: every point refreshed at least
 * every 5 min even when unchanged). The framework notes when each point of a driver that can be
 * asked (`refresh` + `refreshIntervalMs`) last delivered a sample; a point silent for its
 * interval (the driver's, capped by the point's report `maxSilenceS`) is asked for, one
 * refresh() per device for all its due points, at most one in flight per device. The timer is
 * the framework's (shared/periodic.ts), never the driver's.
 */
export interface LivenessOptions {
  drivers: readonly Driver[]
  clock: Clock
  log: Logger
  /** The point's report-by-exception bound (ms), Infinity without one. */
  maxSilenceMs?: (point: string) => number
  /** Where refreshed samples go (the sample path). */
  deliver: (device: string, samples: Sample[]) => void
}

export interface Liveness {
  /** Samples of a device arrived (pushed, polled or refreshed): their points are alive now. */
  seen(samples: readonly Sample[]): void
  /** Stops the checks and waits for refreshes in flight. */
  stop(): Promise<void>
}

interface Watched {
  driver: Driver
  intervals: Map<string, number>
  inflight: Promise<void> | null
}

export function startLiveness(options: LivenessOptions): Liveness {
  const { clock, log } = options
  const lastSeen = new Map<string, number>()
  const watched: Watched[] = []
  const start = clock.now()
  for (const driver of options.drivers) {
    if (!driver.refresh || !(driver.refreshIntervalMs! > 0)) continue
    const intervals = new Map(
      driver.points.map((p) => [p.id, Math.min(driver.refreshIntervalMs!, options.maxSilenceMs?.(p.id) ?? Infinity)]),
    )
    for (const id of intervals.keys()) lastSeen.set(id, start)
    watched.push({ driver, intervals, inflight: null })
  }
  const shortest = Math.min(...watched.flatMap((w) => [...w.intervals.values()]))
  // A quarter of the shortest interval: a point is asked for at most 25 % after it fell silent.
  const tickMs = Math.min(10_000, Math.max(100, Math.floor(shortest / 4)))

  const check = (w: Watched) => {
    if (w.inflight) return
    const now = clock.now()
    const due = [...w.intervals]
      .filter(([id, interval]) => now - (lastSeen.get(id) ?? start) >= interval)
      .map(([id]) => id)
    if (due.length === 0) return
    // Asked for now: not asked again before its interval, whatever the answer.
    for (const id of due) lastSeen.set(id, now)
    w.inflight = w.driver.refresh!(due)
      .then((samples) => options.deliver(w.driver.device, samples))
      .catch((err: unknown) =>
        log.error(
          { device: w.driver.device, points: due.length, err: errorMessage(err) },
          'refresh of silent points failed',
        ),
      )
      .finally(() => (w.inflight = null))
  }

  const job =
    watched.length === 0
      ? null
      : startPeriodic(
          clock,
          tickMs,
          async () => watched.forEach(check),
          (err) => log.error({ err: errorMessage(err) }, 'liveness check failed'),
        )
  return {
    seen(samples) {
      const now = clock.now()
      for (const s of samples) if (lastSeen.has(s.point)) lastSeen.set(s.point, now)
    },
    async stop() {
      job?.stop()
      await Promise.allSettled(watched.map((w) => w.inflight))
    },
  }
}
