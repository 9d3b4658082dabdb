import type { Logger } from 'pino'
import type { Clock } from '../../shared/clock.ts'
import { startPeriodic } from '../../shared/periodic.ts'
import { errorMessage } from '../../shared/errors.ts'
import type { Store } from '../store/store.ts'
import { createChannels } from './channels.ts'
import type { NotificationsConfig } from './config.ts'

/**
 * The notification shell: every few seconds it sends the pushes that are due. It works only
 * from the ledger, which the store fills in the same transaction as each raise
 * (cloud/store/sqlite/push-outbox.ts, with pushPlanner from ./plan.ts): a crash between an
 * alarm's commit and a send loses nothing, and a restarted dispatcher resumes where the ledger
 * stands. An alarm closed before its push is not pushed (recorded `skipped`); a failed push is
 * retried with backoff and, after the configured attempts, recorded `failed`.
 */
export interface Dispatcher {
  runOnce(): Promise<number>
  stop(): void
}

const MIN = 60_000

export function startDispatcher(o: {
  config: NotificationsConfig
  store: Store
  clock: Clock
  log: Logger
  intervalMs?: number
  env?: NodeJS.ProcessEnv
}): Dispatcher {
  const { config, store, clock, log } = o
  const channels = createChannels(config, o.env)
  const recipients = new Map(config.recipients.map((r) => [r.id, r]))

  const runOnce = async () => {
    const now = clock.now()
    let sent = 0
    for (const d of await store.duePushes(now, 500)) {
      const alarm = await store.getAlarm(d.alarm, 'all')
      const recipient = recipients.get(d.recipient)
      if (!alarm || alarm.closedAt !== null || alarm.disposal.overlay || !recipient) {
        const why = !alarm
          ? 'alarm gone'
          : !recipient
            ? 'recipient no longer configured'
            : alarm.closedAt !== null
              ? 'closed before the push'
              : `${alarm.disposal.overlay!.kind.replace(/_/g, ' ')} before the push`
        await store.recordPush(d.id, { status: 'skipped', attempts: d.attempts, at: now, error: why })
        continue
      }
      try {
        await channels[d.channel]({ alarm, recipient, n: d.n, reason: d.reason })
        await store.recordPush(d.id, { status: 'sent', attempts: d.attempts + 1, at: clock.now() })
        sent++
      } catch (err) {
        const attempts = d.attempts + 1
        const error = errorMessage(err).slice(0, 500)
        if (attempts >= config.attempts) {
          log.error(
            { alarm: d.alarm, recipient: d.recipient, channel: d.channel, error },
            'notification failed after every attempt',
          )
          await store.recordPush(d.id, { status: 'failed', attempts, at: clock.now(), error })
        } else {
          await store.recordPush(d.id, {
            status: 'pending',
            attempts,
            at: clock.now(),
            error,
            nextAt: clock.now() + 2 ** (attempts - 1) * MIN,
          })
        }
      }
    }
    return sent
  }

  const job = startPeriodic(clock, o.intervalMs ?? 5_000, runOnce, (err) =>
    log.error({ err: errorMessage(err) }, 'notification round failed; the next round tries again'),
  )
  return {
    runOnce,
    stop() {
      job.stop()
    },
  }
}
