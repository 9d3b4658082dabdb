import type { Logger } from 'pino'
import type { Clock } from '../../shared/clock.ts'
import { startPeriodic } from '../../shared/periodic.ts'
import { errorMessage } from '../../shared/errors.ts'
import type { Delivery, Store } from '../store/store.ts'
import { createChannels } from './channels.ts'
import type { NotificationsConfig } from './config.ts'
import { createGasSender } from './gas-sender.ts'
import { claimLeaseMs, claimRounds, failedAttempt } from './retry.ts'

/**
 * The notification shell: every few seconds it sends the pushes that are due. It works only
 * from the ledger, which the store fills in the same transaction as each raise
 * (cloud/store/sqlite/push-outbox.ts, with pushPlanner from ./plan.ts): a crash between an
 * alarm's commit and a send loses nothing, and a restarted dispatcher resumes where the ledger
 * stands. An alarm closed before its push is not pushed (recorded `skipped`); a failed push is
 * retried with backoff and, after the configured attempts, recorded `failed`. Each round also
 * sends the gas-leak warnings' due pushes (./gas-sender.ts), from their own ledger.
 */
export interface Dispatcher {
  runOnce(): Promise<number>
  stop(): void
}

export function startDispatcher(o: {
  config: NotificationsConfig
  store: Store
  clock: Clock
  log: Logger
  intervalMs?: number
  env?: NodeJS.ProcessEnv
  /** Pushes tried and failed, by channel (CloudMetrics.pushes, for /metrics); absent: not counted. */
  counts?: { attempts: Record<string, number>; failures: Record<string, number> }
}): Dispatcher {
  const { config, store, clock, log } = o
  const channels = createChannels(config, o.env)
  const recipients = new Map(config.recipients.map((r) => [r.id, r]))
  const gas = createGasSender({ config, store, clock, log, env: o.env })
  const leaseMs = claimLeaseMs(config)

  const sendOne = async (d: Delivery, now: number): Promise<boolean> => {
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
      return false
    }
    if (o.counts) o.counts.attempts[d.channel] = (o.counts.attempts[d.channel] ?? 0) + 1
    try {
      await channels[d.channel]({ alarm, recipient, n: d.n, reason: d.reason })
      await store.recordPush(d.id, { status: 'sent', attempts: d.attempts + 1, at: clock.now() })
      return true
    } catch (err) {
      if (o.counts) o.counts.failures[d.channel] = (o.counts.failures[d.channel] ?? 0) + 1
      const outcome = failedAttempt(d.attempts, config.attempts, errorMessage(err).slice(0, 500), clock.now())
      if (outcome.status === 'failed')
        log.error(
          { alarm: d.alarm, recipient: d.recipient, channel: d.channel, error: outcome.error },
          'notification failed after every attempt',
        )
      await store.recordPush(d.id, outcome)
      return false
    }
  }

  const runOnce = async () => {
    const now = clock.now()
    let sent = 0
    // Claimed, not just read (issue 16): another replica's dispatcher never sends these too.
    await claimRounds(
      (limit) => store.claimPushes(now, limit, leaseMs),
      async (d) => {
        if (await sendOne(d, now)) sent++
      },
    )
    sent += await gas.runOnce()
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
