import type { Priority } from '../../shared/rules/priority.ts'
import { defaultSchedules, type Category, type Channel, type NotificationsConfig, type Recipient, type Schedule } from './config.ts'

/** One push to make: to whom, how, when (epoch ms), and which of the schedule's pushes it is. */
export interface PlannedPush {
  recipient: string
  channel: Channel
  dueAt: number
  n: number
}

const MIN = 60_000

/** Pure: every push an alarm calls for, from the recipients' categories and schedules. */
export function planPushes(alarm: { priority: Priority; raisedAt: number; enterprise: string | null }, recipients: readonly Recipient[], overrides: Partial<Record<Category, Schedule>> = {}): PlannedPush[] {
  const out: PlannedPush[] = []
  for (const r of recipients) {
    if (r.enterprise !== undefined && r.enterprise !== alarm.enterprise) continue
    const s = overrides[r.category] ?? defaultSchedules[r.category]
    if (!s.priorities.includes(alarm.priority)) continue
    for (let n = 1; n <= s.times; n++) {
      const dueAt = alarm.raisedAt + Math.round((s.delayMin + (n - 1) * s.everyMin) * MIN)
      for (const channel of r.channels) out.push({ recipient: r.id, channel, dueAt, n })
    }
  }
  return out.sort((a, b) => a.dueAt - b.dueAt || a.recipient.localeCompare(b.recipient))
}

/** The planner the store runs in each raise's transaction (cloud/store/sqlite/push-outbox.ts). */
export function pushPlanner(config: Pick<NotificationsConfig, 'recipients' | 'schedules'>): (alarm: { priority: Priority; raisedAt: number; enterprise: string | null }) => PlannedPush[] {
  return (alarm) => planPushes(alarm, config.recipients, config.schedules)
}
