import type { Priority } from '../../shared/rules/priority.ts'
import type { DisposalFacts, TimelineEntry } from '../alarms/workflow.ts'
import {
  defaultPushOn,
  defaultSchedules,
  type Category,
  type Channel,
  type NotificationsConfig,
  type PushOn,
  type Recipient,
  type Schedule,
} from './config.ts'

/** One push to make: to whom, how, when (epoch ms), and which of the schedule's pushes it is. */
export interface PlannedPush {
  recipient: string
  channel: Channel
  dueAt: number
  n: number
  /** An escalation because the alarm's response is overdue (absent: the alarm itself). */
  reason?: 'overdue'
}

const MIN = 60_000

/**
 * Pure: every push an alarm calls for on one occasion — its raise, or its triage as valid at
 * `at` — from the recipients' categories and schedules (each category is told on one of them).
 */
export function planPushes(
  alarm: { priority: Priority; raisedAt: number; enterprise: string | null },
  recipients: readonly Recipient[],
  overrides: Partial<Record<Category, Schedule>> = {},
  occasion: { on: PushOn; at: number } = { on: 'raise', at: alarm.raisedAt },
): PlannedPush[] {
  const out: PlannedPush[] = []
  for (const r of recipients) {
    if (r.enterprise !== undefined && r.enterprise !== alarm.enterprise) continue
    const s = overrides[r.category] ?? defaultSchedules[r.category]
    if (!s.priorities.includes(alarm.priority)) continue
    if ((s.pushOn ?? defaultPushOn[r.category]) !== occasion.on) continue
    for (let n = 1; n <= s.times; n++) {
      const dueAt = occasion.at + Math.round((s.delayMin + (n - 1) * s.everyMin) * MIN)
      for (const channel of r.channels) out.push({ recipient: r.id, channel, dueAt, n })
    }
  }
  return out.sort((a, b) => a.dueAt - b.dueAt || a.recipient.localeCompare(b.recipient))
}

/**
 * What the planner reads of an alarm and of its change: the store's AlarmRecord and AlarmChange
 * satisfy them. Spelled out here so the planner does not import the store that runs it.
 */
export interface PlannedAlarm {
  priority: Priority
  raisedAt: number
  enterprise: string | null
  disposal: Pick<DisposalFacts, 'triage'>
}
export interface PlannedChange {
  action: TimelineEntry['action']
  at: number
  historical?: boolean
}

/** The planner the store runs in the transaction of each alarm change (cloud/store/sqlite/push-outbox.ts): a raise, or a triage as valid. */
export function pushPlanner(
  config: Pick<NotificationsConfig, 'recipients' | 'schedules'> & Partial<Pick<NotificationsConfig, 'escalateTo'>>,
): (alarm: PlannedAlarm, change: PlannedChange) => PlannedPush[] {
  return (alarm, change) => {
    if (change.historical) return [] // old news from an edge's backlog: recorded, not pushed
    if (change.action === 'raise') return planPushes(alarm, config.recipients, config.schedules)
    if (change.action === 'triage' && alarm.disposal.triage?.verdict === 'valid')
      return planPushes(alarm, config.recipients, config.schedules, { on: 'valid', at: alarm.disposal.triage.at })
    if (change.action === 'overdue') return planEscalation(alarm, config.recipients, config.escalateTo ?? [], change.at)
    return []
  }
}

/** Pure: the escalation of an overdue alarm, once, at `at`, to the recipients of the categories configured for it. */
export function planEscalation(
  alarm: { enterprise: string | null },
  recipients: readonly Recipient[],
  categories: readonly Category[],
  at: number,
): PlannedPush[] {
  return recipients
    .filter((r) => categories.includes(r.category) && (r.enterprise === undefined || r.enterprise === alarm.enterprise))
    .flatMap((r) =>
      r.channels.map((channel) => ({ recipient: r.id, channel, dueAt: at, n: 1, reason: 'overdue' as const })),
    )
}
