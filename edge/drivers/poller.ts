import { QualityReasons } from '../../shared/quality.ts'
import type { Logger } from 'pino'
import type { Clock, TimerHandle } from '../../shared/clock.ts'
import { ErrorCodes, ParklinkError, errorMessage } from '../../shared/errors.ts'
import { badSample, type Sample } from '../../shared/wire/sample.ts'
import type { Driver } from './driver.ts'

export interface PollerOptions {
  drivers: readonly Driver[]
  clock: Clock
  /** Called with every non-empty set of samples; an exception is logged, never stops the loop. */
  onSamples: (device: string, samples: Sample[]) => void
  /** Samples a driver pushes (subscriptions, listeners), e.g. to be batched; default onSamples. */
  onPushed?: (device: string, samples: Sample[]) => void
  log: Logger
  /** A read in flight this long yields bad `driver_stalled` samples (default max(60 s, 10 polls)). */
  stallAfterMs?: (pollIntervalMs: number) => number
  /** stop() waits at most this long for reads in flight (default 10 s). */
  stopTimeoutMs?: number
}

export interface Poller {
  /**
   * Reads one point now, out of its schedule (the cloud's `read` command), after any read of
   * its device in flight; the sample is handed on like a scheduled one, and returned. Rejects
   * for a point no polled device reads, and after `timeoutMs` when the device's reads hang.
   */
  readNow(point: string, timeoutMs?: number): Promise<Sample>
  /** Clears every timer, unsubscribes, and waits for reads in flight (bounded). */
  stop(): Promise<void>
}

interface Loop {
  stop(): void
  inflight(): Promise<void> | null
}

/**
 * The framework-owned schedule. Each polled driver (each of its schedules) runs its own loop, so one slow or failing
 * device never delays another; pushed drivers are subscribed once.
 */
export function startPoller(options: PollerOptions): Poller {
  const { clock, log } = options
  const loops: Loop[] = []
  let closed = false
  // A read on request never runs alongside a scheduled read of the same device (a device, a
  // gateway or an RS485 line serves one transaction at a time): it waits for the device's reads
  // in flight, and a scheduled read that comes due meanwhile waits for it. Scheduled reads of one
  // device's schedules stay independent (an RTU driver interleaves them on its line itself).
  const onRequest = new Map<Driver, Promise<unknown>>()
  const loopsOf = new Map<Driver, Loop[]>()
  const afterRequest = (driver: Driver) => onRequest.get(driver) ?? Promise.resolve()
  const deliver = (device: string, samples: Sample[], to = options.onSamples) => {
    if (closed || samples.length === 0) return
    try {
      to(device, samples)
    } catch (err) {
      log.error({ device, err: errorMessage(err), samples: samples.length }, 'samples could not be handed on')
    }
  }

  for (const driver of options.drivers) {
    const dlog = log.child({ device: driver.device })
    let started = false
    if (driver.subscribe) {
      const unsubscribe = driver.subscribe((samples) => deliver(driver.device, samples, options.onPushed))
      loops.push({ stop: unsubscribe, inflight: () => null })
      started = true
    }
    if (driver.read) {
      const schedules =
        driver.schedules ??
        (driver.pollIntervalMs !== undefined
          ? [{ id: 'all', pollIntervalMs: driver.pollIntervalMs, points: driver.points.map((p) => p.id) }]
          : [])
      for (const schedule of schedules) {
        if (!(schedule.pollIntervalMs > 0)) continue
        const stallAfterMs =
          options.stallAfterMs?.(schedule.pollIntervalMs) ?? Math.max(60_000, 10 * schedule.pollIntervalMs)
        // Without explicit schedules read() is called with no argument: "all points".
        const only = driver.schedules ? schedule.points : undefined
        const read =
          only === undefined
            ? () => afterRequest(driver).then(() => driver.read!())
            : () => afterRequest(driver).then(() => driver.read!(only))
        const loop = startLoop(
          driver,
          read,
          only ?? driver.points.map((p) => p.id),
          schedule.pollIntervalMs,
          stallAfterMs,
          clock,
          driver.schedules ? dlog.child({ schedule: schedule.id }) : dlog,
          deliver,
        )
        loops.push(loop)
        loopsOf.set(driver, [...(loopsOf.get(driver) ?? []), loop])
        started = true
      }
    }
    if (!started) {
      log.warn(
        { device: driver.device, kind: driver.kind },
        'driver neither polls (read + pollIntervalMs or schedules) nor pushes (subscribe): nothing will be read',
      )
    }
  }

  let stopping: Promise<void> | null = null
  return {
    async readNow(point, timeoutMs = 10_000) {
      const driver = options.drivers.find((d) => d.read && d.points.some((p) => p.id === point))
      if (!driver)
        throw new ParklinkError(ErrorCodes.NOT_FOUND, `no polled device on this edge reads point ${point}`, {
          hint: 'check the point id against the edge configuration (pushed points, e.g. OPC UA subscriptions, arrive by themselves)',
        })
      if (closed || stopping) throw new ParklinkError(ErrorCodes.STATE_CONFLICT, 'the edge is stopping')
      let timer: TimerHandle | undefined
      const timeout = new Promise<never>((_, reject) => {
        timer = clock.setTimeout(
          () =>
            reject(
              new ParklinkError(
                ErrorCodes.DEVICE_TIMEOUT,
                `device ${driver.device} did not answer for point ${point} within ${timeoutMs} ms`,
                { hint: 'its reads may hang: see the driver state in the edge status' },
              ),
            ),
          timeoutMs,
        )
      })
      const scheduled = () => Promise.allSettled((loopsOf.get(driver) ?? []).map((l) => l.inflight()))
      const read = afterRequest(driver)
        .then(scheduled)
        .then(() => driver.read!([point]))
      const bounded = Promise.race([read, timeout])
      onRequest.set(
        driver,
        bounded.catch(() => {}),
      )
      try {
        const samples = await bounded
        const sample = Array.isArray(samples) ? samples.find((s) => s.point === point) : undefined
        if (!sample)
          throw new ParklinkError(
            ErrorCodes.DEVICE_UNREACHABLE,
            `device ${driver.device} returned no value for point ${point}`,
          )
        deliver(driver.device, [sample])
        return sample
      } finally {
        if (timer !== undefined) clock.clearTimeout(timer)
      }
    },
    stop() {
      stopping ??= (async () => {
        for (const loop of loops) loop.stop()
        const reads = loops.map((l) => l.inflight()).filter((p): p is Promise<void> => p !== null)
        if (reads.length > 0) {
          let timer: TimerHandle | undefined
          const timeout = new Promise<'timeout'>((resolve) => {
            timer = clock.setTimeout(() => resolve('timeout'), options.stopTimeoutMs ?? 10_000)
          })
          const outcome = await Promise.race([Promise.allSettled(reads), timeout])
          if (timer !== undefined) clock.clearTimeout(timer)
          if (outcome === 'timeout')
            log.warn({ reads: reads.length }, 'stopped without waiting for reads still in flight')
        }
        closed = true
      })()
      return stopping
    },
  }
}

function startLoop(
  driver: Driver,
  read: () => Promise<Sample[]>,
  ids: readonly string[],
  interval: number,
  stallAfterMs: number,
  clock: Clock,
  log: Logger,
  deliver: (device: string, samples: Sample[]) => void,
): Loop {
  const allBad = (reason: string) => ids.map((id) => badSample(id, clock.now(), reason.slice(0, 256)))
  let planned = clock.now()
  let timer: TimerHandle | null = null
  let watchdog: TimerHandle | null = null
  let current: Promise<void> | null = null
  let stopped = false
  let failing: string | null = null
  let overrunning = false

  const clearWatchdog = () => {
    if (watchdog !== null) clock.clearTimeout(watchdog)
    watchdog = null
  }
  // While a read hangs, the device's points go bad at the poll rate instead of silently stale.
  const armWatchdog = (ms: number) => {
    watchdog = clock.setTimeout(() => {
      if (stopped || current === null) return
      log.error(
        { stallAfterMs },
        'read has not returned: the driver is stuck; its points are reported bad until it returns',
      )
      deliver(driver.device, allBad(QualityReasons.DRIVER_STALLED))
      armWatchdog(interval)
    }, ms)
  }

  const runRead = async (): Promise<void> => {
    let samples: Sample[]
    try {
      const result: unknown = await read()
      if (!Array.isArray(result)) throw new TypeError(`read() resolved to ${typeof result}, not an array of samples`)
      samples = result as Sample[]
      if (failing !== null) log.info('driver reads again')
      failing = null
    } catch (err) {
      // A driver must not reject for device trouble (contract): this is a bug, made visible as bad quality.
      const message = errorMessage(err)
      if (message !== failing)
        log.error({ err: message }, 'driver read failed (contract violation): its points are reported bad')
      failing = message
      samples = allBad(`${QualityReasons.DRIVER_ERROR}:${message}`)
    }
    clearWatchdog()
    deliver(driver.device, samples)
  }

  const scheduleNext = () => {
    const now = clock.now()
    // Next tick on the planned grid (no drift). Ticks that passed during an overlong read are
    // skipped, not run back to back; a clock stepped backwards re-anchors the grid to now.
    let ticks = Math.max(1, Math.ceil((now - planned) / interval))
    let next = planned + ticks * interval
    if (next - now > interval) {
      next = now + interval
      ticks = 1
    }
    if (ticks > 1 && !overrunning)
      log.warn({ pollMs: interval, skipped: ticks - 1 }, 'read took longer than the poll interval: skipping ticks')
    overrunning = ticks > 1
    planned = next
    timer = clock.setTimeout(tick, next - now)
  }

  const tick = () => {
    timer = null
    if (stopped) return
    armWatchdog(stallAfterMs)
    current = runRead().finally(() => {
      current = null
      if (!stopped) scheduleNext()
    })
  }

  timer = clock.setTimeout(tick, 0)
  return {
    stop() {
      stopped = true
      if (timer !== null) clock.clearTimeout(timer)
      clearWatchdog()
      timer = null
    },
    inflight: () => current,
  }
}
