import type { Logger } from 'pino'
import type { Clock, TimerHandle } from '../../shared/clock.ts'
import { errorMessage } from '../../shared/errors.ts'
import type { RetentionRepo } from '../store/repos/retention.ts'
import { cutoffsAt, type RetentionConfig, type RetentionRun } from './retention-policy.ts'

/** What /api/v1/health shows of retention (cloud/metrics.ts `retention`). */
export interface RetentionStatus {
  lastRunAt: number | null
  /** The last successful run, per kind: the cutoff and how many samples or rollup rows went. */
  lastRun: RetentionRun[]
  nextRunAt: number | null
  /** Runs that failed since start (each logged); the job keeps its schedule. */
  failures: number
  lastError: string | null
}

export const emptyRetentionStatus = (): RetentionStatus => ({
  lastRunAt: null,
  lastRun: [],
  nextRunAt: null,
  failures: 0,
  lastError: null,
})

export const FIRST_RUN_DELAY_MS = 60_000

/**
 * Runs retention (issue 15) 1 min after start and then every `everyHours`, on the injected clock:
 * the cutoffs of the config at the run's time, applied by the store (which records each run in
 * retention_runs), a log line per run. A failed run is logged and counted in `status`, and the
 * next one is still scheduled: a job that died at its first error would let the disk fill.
 * Runs never overlap (`runNow` while one is going waits for it).
 */
export function startRetentionJob(o: {
  store: Pick<RetentionRepo, 'applyRetention'>
  policy: RetentionConfig
  clock: Clock
  log: Logger
  status?: RetentionStatus
}): { runNow(): Promise<RetentionRun[] | null>; stop(): Promise<void>; status: RetentionStatus } {
  const { clock, log } = o
  const status = o.status ?? emptyRetentionStatus()
  let timer: TimerHandle | null = null
  let stopped = false
  let running: Promise<RetentionRun[] | null> = Promise.resolve(null)

  const once = async (): Promise<RetentionRun[] | null> => {
    const at = clock.now()
    try {
      const runs = await o.store.applyRetention(cutoffsAt(at, o.policy), at)
      status.lastRunAt = at
      status.lastRun = runs
      log.info({ removed: Object.fromEntries(runs.map((r) => [r.kind, r.removed])) }, 'retention run done')
      return runs
    } catch (err) {
      status.failures++
      status.lastError = errorMessage(err)
      log.error({ err }, 'retention run failed; the next one is still scheduled')
      return null
    }
  }
  const runNow = () => {
    running = running.then(once)
    return running
  }
  const arm = (ms: number): void => {
    if (stopped) return
    status.nextRunAt = clock.now() + ms
    timer = clock.setTimeout(() => {
      void runNow().finally(() => arm(o.policy.everyHours * 3_600_000))
    }, ms)
  }
  arm(FIRST_RUN_DELAY_MS)
  return {
    runNow,
    status,
    async stop() {
      stopped = true
      if (timer) clock.clearTimeout(timer)
      status.nextRunAt = null
      await running
    },
  }
}
