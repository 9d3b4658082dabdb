import type { Logger } from 'pino'
import type { Clock, TimerHandle } from '../../shared/clock.ts'
import { errorMessage } from '../../shared/errors.ts'
import type { AlarmFeed } from '../alarms/feed.ts'
import type { TimelineChange } from '../alarms/model.ts'

/** Pages of the timeline read per step while catching up. */
const PAGE = 500

/**
 * Where the relay learns that changes were committed, on any replica: PostgreSQL LISTEN/NOTIFY
 * (./pg-wake.ts). A wake is only a hint to read: a missed one costs latency (the poll reads
 * anyway), never a change.
 */
export interface ChangeSignal {
  /** Starts listening; `wake` is called on every notification and after every (re)connect. */
  listen(wake: () => void): Promise<void>
  /** Tells every replica (this one too) that changes were committed. */
  announce(): void
  /** Re-listens if the connection was lost (called by the poll). */
  ensureListening(): Promise<void>
  /** The newest timeline entry now (where a new relay starts: the past is not live news). */
  newestEntry(): Promise<number>
  close(): Promise<void>
}

export interface AlarmRelay {
  /** This replica committed alarm changes: read them now and tell the others. */
  changed(): void
  /** The last timeline entry handed to the feed. */
  readonly last: number
  stop(): Promise<void>
}

/**
 * The alarm stream across replicas (issue 16): every replica hands its in-process feed
 * (cloud/alarms/feed.ts, which the SSE streams and the gas-leak warnings read) the alarm timeline
 * in id order, from the database, whoever committed the change. Woken by NOTIFY, and by a poll
 * every `pollMs` so a lost notification or a dropped listen connection loses nothing: the relay
 * reads after the last id it handed on, so every change reaches the feed once. Ids commit in id
 * order (LOCKS.alarmTimeline, cloud/store/postgres/tx.ts), so reading "after N" never passes
 * over one committed late.
 */
export async function startAlarmRelay(o: {
  read: (after: number, limit: number) => Promise<TimelineChange[]>
  signal: ChangeSignal
  feed: AlarmFeed
  clock: Clock
  log: Logger
  pollMs: number
}): Promise<AlarmRelay> {
  const { signal, feed, clock, log } = o
  let last = await signal.newestEntry()
  let stopped = false
  let pumping: Promise<void> | null = null
  let again = false
  let timer: TimerHandle | null = null
  // A database that stays down is said once per outage, not at every poll.
  let failing = false

  const drain = async () => {
    for (;;) {
      const page = await o.read(last, PAGE)
      for (const e of page) {
        last = e.id
        feed.publish(e.change)
      }
      if (page.length < PAGE || stopped) return
    }
  }
  // One reader at a time; a wake while reading reads once more after it.
  const pump = (): Promise<void> => {
    if (pumping) {
      again = true
      return pumping
    }
    pumping = (async () => {
      do {
        again = false
        await drain().then(
          () => {
            if (failing) log.info({ after: last }, 'alarm changes read again')
            failing = false
          },
          (err) => {
            if (!failing)
              log.warn(
                { err: errorMessage(err), after: last },
                'alarm changes not read; the next wake or poll tries again',
              )
            failing = true
          },
        )
      } while (again && !stopped)
      pumping = null
    })()
    return pumping
  }
  const poll = () => {
    timer = null
    void signal
      .ensureListening()
      .catch((err) => log.warn({ err: errorMessage(err) }, 'alarm change listener not connected; polling meanwhile'))
      .then(pump)
      .finally(() => {
        if (!stopped) timer = clock.setTimeout(poll, o.pollMs)
      })
  }

  await signal.listen(() => void pump())
  await pump()
  timer = clock.setTimeout(poll, o.pollMs)
  return {
    changed() {
      void pump()
      signal.announce()
    },
    get last() {
      return last
    },
    async stop() {
      stopped = true
      if (timer !== null) clock.clearTimeout(timer)
      await pumping
      await signal.close()
    },
  }
}
