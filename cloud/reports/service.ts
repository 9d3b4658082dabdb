import path from 'node:path'
import type { Logger } from 'pino'
import type { Clock, TimerHandle } from '../../shared/clock.ts'
import type { CloudConfig } from '../config.ts'
import type { Store } from '../store/store.ts'
import { createReportRunner, type ReportRunner } from './generate.ts'
import { startReportScheduler } from './scheduler.ts'

/** After start, wait this long before catching up missed periods (the service settles first; short-lived runs never do it). */
export const CATCH_UP_DELAY_MS = 60_000

/** The runner the API and the CLI make reports with. */
export const reportRunner = (o: { config: CloudConfig; store: Store; clock: Clock }): ReportRunner =>
  createReportRunner({ store: o.store, config: o.config.reports, dir: reportsDir(o.config), clock: o.clock })

/**
 * With `reports.enabled`, the schedule, and a catch-up of missed periods a minute after start.
 * `stop` waits for a report being made to finish, so the store is never closed under it.
 */
export function startReportSchedule(o: { runner: ReportRunner; config: CloudConfig; clock: Clock; log: Logger }): {
  stop(): Promise<void>
} {
  const { config, clock, log } = o
  if (!config.reports.enabled) return { stop: async () => {} }
  const scheduler = startReportScheduler({ runner: o.runner, config: config.reports, shifts: config.board, clock, log })
  const catchUp: TimerHandle = clock.setTimeout(() => void scheduler.catchUp(), CATCH_UP_DELAY_MS)
  log.info({ next: scheduler.nextRuns(), timeZone: config.reports.timeZone }, 'report schedule started')
  return {
    async stop() {
      clock.clearTimeout(catchUp)
      scheduler.stop()
      await scheduler.idle()
    },
  }
}

/** {dataDir}/{reports.dir} (an absolute reports.dir stays as it is). */
export const reportsDir = (config: CloudConfig): string => path.resolve(config.dataDir, config.reports.dir)
