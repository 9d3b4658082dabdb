import type { Channel, Recipient } from '../../notify/config.ts'
import type { GasWarningRecord } from './model.ts'

/** One push a warning's step calls for: to whom, how, when; the ledger row of cloud/notify's gas sender. */
export interface PlannedGasPush {
  /** Index of the step in the warning's history. */
  step: number
  action: 'opened' | 'escalated' | 'notice'
  colour: GasWarningRecord['colour']
  recipient: string
  channel: Channel
  dueAt: number
}

/**
 * Pure: the pushes of the warning's last step, when it is an opening, escalation or notice that
 * names people (`tell`, from ./recipients.ts): each of its recipients on each of their channels,
 * at once. Any other step (acknowledged, reported, cleared) tells nobody.
 */
export function planGasPushes(w: GasWarningRecord | Omit<GasWarningRecord, 'id'>, recipients: readonly Recipient[]) {
  const step = w.history.length - 1
  const last = w.history[step]
  if (!last?.tell || (last.action !== 'opened' && last.action !== 'escalated' && last.action !== 'notice')) return []
  const byId = new Map(recipients.map((r) => [r.id, r]))
  const out: PlannedGasPush[] = []
  for (const id of last.tell)
    for (const channel of byId.get(id)?.channels ?? [])
      out.push({ step, action: last.action, colour: last.colour, recipient: id, channel, dueAt: last.at })
  return out
}
