import type { Scope } from '../../auth/roles.ts'
import type { PlannedPush } from '../../notify/plan.ts'

/** The push ledger (transactional outbox of notifications, issue 14): planned with the change, dispatched when due. */
export interface DeliveryRepo {
  /** Notification pushes: planned with the alarm's raise (PushPlanner), dispatched when due, every attempt recorded. */
  duePushes(now: number, limit: number): Promise<Delivery[]>
  recordPush(id: number, outcome: DeliveryOutcome): Promise<void>
  alarmDeliveries(alarm: number, scope: Scope): Promise<Delivery[]>
}

export interface Delivery {
  id: number
  alarm: number
  recipient: string
  channel: 'webhook' | 'sms'
  n: number
  dueAt: number
  nextAt: number
  attempts: number
  status: 'pending' | 'sent' | 'failed' | 'skipped'
  lastError: string | null
  doneAt: number | null
  reason: 'alarm' | 'overdue'
}

export interface DeliveryOutcome {
  status: Delivery['status']
  attempts: number
  at: number
  error?: string
  /** pending: when to try again. */
  nextAt?: number
}

/** The ledger columns a push's outcome sets (the same for alarm and gas-warning pushes). */
export function outcomeColumns(o: DeliveryOutcome): {
  status: DeliveryOutcome['status']
  attempts: number
  lastError?: string
  nextAt?: number
  doneAt?: number
} {
  return {
    status: o.status,
    attempts: o.attempts,
    ...(o.error === undefined ? {} : { lastError: o.error }),
    ...(o.nextAt === undefined ? {} : { nextAt: o.nextAt }),
    ...(o.status === 'pending' ? {} : { doneAt: o.at }),
  }
}

/** A planned push as a ledger row (both engines' notification_deliveries): due at once, pending. */
export const plannedDeliveryRow = (alarm: number, p: PlannedPush) => ({
  alarm,
  recipient: p.recipient,
  channel: p.channel,
  n: p.n,
  dueAt: p.dueAt,
  nextAt: p.dueAt,
  reason: p.reason ?? ('alarm' as const),
})
