import type { Logger } from 'pino'
import type { Clock, TimerHandle } from '../../shared/clock.ts'
import { errorMessage } from '../../shared/errors.ts'

/**
 * The lease the leader holds (issue 16: alarm timers run once across replicas). An engine's
 * implementation: PostgreSQL's session-level advisory lock on a connection of its own
 * (./pg-lease.ts), or the sole process's lease on SQLite (`soleLease`, always held).
 */
export interface LeaseLock {
  /** Takes the lease if nobody holds it; true when this process holds it now. */
  tryAcquire(): Promise<boolean>
  /** True while this process still holds it (its session alive, the lock granted to it). */
  stillHeld(): Promise<boolean>
  /** Called at once when the lease's connection closes: the lease is gone with it. */
  onLost(listener: () => void): void
  /** Gives the lease back and closes the connection. */
  close(): Promise<void>
}

/** Jobs a leader runs: started on gaining the lease, stopped on losing it. */
export interface LeaderJobs {
  stop(): Promise<void>
}

export interface Leadership {
  /** True while this process runs the leader's jobs. */
  readonly leading: boolean
  /** Stops the jobs (if running), gives the lease back. Idempotent. */
  stop(): Promise<void>
}

export interface LeadershipOptions {
  lock: LeaseLock
  clock: Clock
  log: Logger
  /** How often the holder checks it still holds the lease (a dead session is noticed within this). */
  checkMs: number
  /** How often a follower tries to take the lease over. */
  retryMs: number
  /** Starts the leader's jobs (called each time the lease is gained). */
  start(): LeaderJobs
  /** Told on every change, for metrics and health. */
  onChange?(leading: boolean): void
}

/**
 * Runs `start()`'s jobs on exactly one process among those sharing `lock`: the one that holds the
 * lease. The first attempt is made before this resolves, so a lone replica (and SQLite) starts its
 * jobs as it always did. The holder re-checks every `checkMs` and stops its jobs the moment its
 * connection closes or the check fails; a follower retries every `retryMs` and takes over once
 * the old holder's session is gone. Between a holder's death and its server-side session ending
 * two rounds may overlap briefly: every job's writes are idempotent in the store for that reason
 * (./leader-jobs.ts says how for each job: comm-loss raises, reminders' notes, push claims).
 */
export async function startLeadership(o: LeadershipOptions): Promise<Leadership> {
  const { lock, clock, log } = o
  let jobs: LeaderJobs | null = null
  let timer: TimerHandle | null = null
  let stopped = false
  let busy: Promise<void> = Promise.resolve()
  // A database that stays down is said once, not at every retry.
  let unreachable = false

  const lose = async (why: string) => {
    const running = jobs
    jobs = null
    if (!running) return
    log.warn({ why }, 'leader lease lost: the alarm timers stop here (another replica takes over)')
    o.onChange?.(false)
    await running.stop().catch((err) => log.error({ err: errorMessage(err) }, 'stopping the leader jobs failed'))
  }
  lock.onLost(() => void serial(() => lose('the lease connection closed')))

  const round = async () => {
    if (stopped) return
    if (jobs) {
      // A check that does not answer within checkMs counts as lost: better no leader for a moment than two.
      const held = await within(clock, o.checkMs, lock.stillHeld()).catch((err) => {
        log.warn({ err: errorMessage(err) }, 'leader lease check failed')
        return false
      })
      if (!held) await lose('the lease is no longer held')
      return
    }
    const gained = await lock.tryAcquire().then(
      (got) => {
        unreachable = false
        return got
      },
      (err) => {
        if (!unreachable) log.warn({ err: errorMessage(err) }, 'leader lease not reachable; trying again')
        unreachable = true
        return false
      },
    )
    if (!gained || stopped) return
    jobs = o.start()
    log.info('leader lease held: this replica runs the alarm timers, notifications and scheduled jobs')
    o.onChange?.(true)
  }
  // One step at a time: a check, a takeover and a loss never interleave.
  const serial = (fn: () => Promise<void>) => {
    busy = busy.then(fn, fn)
    return busy
  }
  const schedule = () => {
    if (stopped) return
    timer = clock.setTimeout(
      () => {
        timer = null
        void serial(round).finally(schedule)
      },
      jobs ? o.checkMs : o.retryMs,
    )
  }

  await serial(round)
  // The sole process (SQLite) never loses its lease: no timer to check it.
  if (lock !== soleLease) schedule()
  let stopping: Promise<void> | null = null
  return {
    get leading() {
      return jobs !== null
    },
    stop() {
      stopping ??= (async () => {
        stopped = true
        if (timer !== null) clock.clearTimeout(timer)
        await serial(async () => {
          const running = jobs
          jobs = null
          await running?.stop()
        })
        await lock.close()
      })()
      return stopping
    },
  }
}

/** SQLite's lease: one process owns the database file, so it always leads. */
export const soleLease: LeaseLock = {
  tryAcquire: async () => true,
  stillHeld: async () => true,
  onLost: () => {},
  close: async () => {},
}

/** The promise's answer, or a rejection after `ms`. */
function within<T>(clock: Clock, ms: number, p: Promise<T>): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const t = clock.setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms)
    p.then(
      (v) => {
        clock.clearTimeout(t)
        resolve(v)
      },
      (err: unknown) => {
        clock.clearTimeout(t)
        reject(err)
      },
    )
  })
}
