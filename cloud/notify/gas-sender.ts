import type { Logger } from 'pino'
import type { Clock } from '../../shared/clock.ts'
import { errorMessage } from '../../shared/errors.ts'
import type { GasDelivery, Store } from '../store/store.ts'
import type { NotificationsConfig } from './config.ts'
import { createGasChannels } from './gas-channels.ts'
import { claimLeaseMs, claimRounds, failedAttempt } from './retry.ts'

/**
 * Sends the gas-leak warnings' due pushes (issue 18, 001:L1937–1940), from the ledger the store
 * fills with each opening, escalation and notice (cloud/alarms/gas/pushes.ts). A warning cleared
 * before its push is not pushed (`skipped`); a failure is retried as the alarms' pushes are
 * (./retry.ts) and recorded `failed` after the configured attempts.
 */
export function createGasSender(o: {
  config: NotificationsConfig
  store: Store
  clock: Clock
  log: Logger
  env?: NodeJS.ProcessEnv
}) {
  const { config, store, clock, log } = o
  const channels = createGasChannels(config, o.env)
  const recipients = new Map(config.recipients.map((r) => [r.id, r]))

  const leaseMs = claimLeaseMs(config)
  const sendOne = async (d: GasDelivery, now: number, names: Map<string, string>): Promise<boolean> => {
    const warning = await store.getGasWarning(d.warning, 'all')
    const recipient = recipients.get(d.recipient)
    if (!warning || warning.state === 'cleared' || !recipient) {
      const why = !warning ? 'warning gone' : !recipient ? 'recipient no longer configured' : 'cleared before the push'
      await store.recordGasPush(d.id, { status: 'skipped', attempts: d.attempts, at: now, error: why })
      return false
    }
    try {
      await channels[d.channel]({ warning, push: d, areaName: names.get(warning.area) ?? warning.area, recipient })
      await store.recordGasPush(d.id, { status: 'sent', attempts: d.attempts + 1, at: clock.now() })
      return true
    } catch (err) {
      const outcome = failedAttempt(d.attempts, config.attempts, errorMessage(err).slice(0, 500), clock.now())
      if (outcome.status === 'failed')
        log.error(
          { warning: d.warning, recipient: d.recipient, channel: d.channel, error: outcome.error },
          'gas-leak warning push failed after every attempt',
        )
      await store.recordGasPush(d.id, outcome)
      return false
    }
  }

  const areaNames = async () => {
    const areas = (await store.registry.list('areas', 'all')) as Array<{ id: string; name: string }>
    return new Map(areas.map((a) => [a.id, a.name]))
  }

  return {
    /** Sends what is due now; the number sent. */
    async runOnce(): Promise<number> {
      const now = clock.now()
      let sent = 0
      let names: Map<string, string> | null = null
      // Claimed batch by batch (issue 16): another replica's sender never sends these too.
      await claimRounds(
        (limit) => store.claimGasPushes(now, limit, leaseMs),
        async (d) => {
          names ??= await areaNames()
          if (await sendOne(d, now, names)) sent++
        },
      )
      return sent
    },
  }
}
