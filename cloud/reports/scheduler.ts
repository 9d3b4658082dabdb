import { Cron } from 'croner'
import type { Logger } from 'pino'
import type { Clock, TimerHandle } from '../../shared/clock.ts'
import type { ReportDefinition, ReportsConfig } from './config.ts'
import type { ReportRunner } from './generate.ts'
import { periodBefore, type ShiftConfig } from './period.ts'

/**
 * Runs each scheduled definition at its cron times in the park's time zone (croner computes
 * the next time; the injected clock's timers wait for it, re-armed at most hourly so a monthly
 * report never overflows a timer). A run covers the last complete period before its scheduled
 * time. At start, a definition whose latest period has no report yet is made once (the service
 * was down at its time: trigger `catch_up`). Runs are made one at a time.
 */
export interface ReportScheduler {
  /** Makes the latest period of each scheduled definition that has no report yet. */
  catchUp(): Promise<void>
  /** When each scheduled definition runs next (epoch ms). */
  nextRuns(): Array<{ name: string; at: number }>
  /** Resolves when the runs queued so far are done (a stop waits for the one in progress). */
  idle(): Promise<void>
  stop(): void
}

const MAX_WAIT_MS = 3_600_000

export function startReportScheduler(o: {
  runner: ReportRunner
  config: ReportsConfig
  shifts: ShiftConfig
  clock: Clock
  log: Logger
}): ReportScheduler {
  const { clock, log, config } = o
  let stopped = false
  let queue: Promise<unknown> = Promise.resolve()
  const timers = new Map<string, TimerHandle>()
  const next = new Map<string, number>()

  const enqueue = (def: ReportDefinition, at: number, trigger: 'schedule' | 'catch_up') => {
    const range = periodBefore(def.period, at, config.timeZone, o.shifts)
    queue = queue.then(async () => {
      if (stopped) return
      try {
        if (trigger === 'catch_up' && (await o.runner.find(def.name, range)) !== null) return
        const report = await o.runner.run(def.name, range, { trigger, requestedBy: 'scheduler' })
        log.info(
          {
            report: report.id,
            name: def.name,
            from: range.from,
            to: range.to,
            empty: report.empty,
            ms: report.durationMs,
          },
          'report generated',
        )
      } catch (err) {
        log.error({ err, name: def.name, from: range.from, to: range.to }, 'report generation failed')
      }
    })
    return queue
  }

  const arm = (def: ReportDefinition, cron: Cron, due: number): void => {
    if (stopped) return
    next.set(def.name, due)
    const wait = Math.min(MAX_WAIT_MS, Math.max(0, due - clock.now()))
    const timer = clock.setTimeout(() => {
      if (clock.now() < due) return arm(def, cron, due)
      void enqueue(def, due, 'schedule')
      const following = cron.nextRun(new Date(Math.max(clock.now(), due)))
      if (following) arm(def, cron, following.getTime())
      else next.delete(def.name)
    }, wait)
    timers.set(def.name, timer)
  }

  const scheduled = config.definitions.filter((d) => d.schedule !== undefined)
  for (const def of scheduled) {
    const cron = new Cron(def.schedule!, { timezone: config.timeZone, paused: true })
    const first = cron.nextRun(new Date(clock.now()))
    if (first) arm(def, cron, first.getTime())
  }

  return {
    async catchUp() {
      for (const def of scheduled) {
        const last = new Cron(def.schedule!, { timezone: config.timeZone, paused: true }).previousRuns(
          1,
          new Date(clock.now()),
        )[0]
        if (last) await enqueue(def, last.getTime(), 'catch_up')
      }
    },
    nextRuns: () => [...next].map(([name, at]) => ({ name, at })),
    idle: () => queue.then(() => undefined),
    stop() {
      stopped = true
      for (const h of timers.values()) clock.clearTimeout(h)
      timers.clear()
    },
  }
}
