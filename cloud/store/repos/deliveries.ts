import type { Scope } from '../../auth/roles.ts'

/** The push ledger (transactional outbox of notifications, issue 14): planned with the change, dispatched when due. */
export interface DeliveryRepo {
  /** Notification pushes: planned with the alarm's raise (PushPlanner), dispatched when due, every attempt recorded. */
  duePushes(now: number, limit: number): Promise<Delivery[]>
  /**
   * The due pushes a dispatcher sends now, claimed for `leaseMs` (issue 16): on PostgreSQL each
   * row is taken by one caller only (FOR UPDATE SKIP LOCKED) and is not due again until the lease
   * ends, so two dispatchers never send one push twice; an outcome recorded ends the claim, and a
   * dispatcher that dies mid-send leaves its pushes due again after the lease. SQLite has one
   * process, whose rounds never overlap: the due pushes, as duePushes.
   */
  claimPushes(now: number, limit: number, leaseMs: number): Promise<Delivery[]>
  /** A finished push (sent, failed, skipped) is final: a later outcome changes nothing (two dispatchers recording one push). */
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

/** A ledger row with its channel typed (the column is text). */
export const withChannel = <R extends { channel: string }>(r: R): R & { channel: Delivery['channel'] } => ({
  ...r,
  channel: r.channel as Delivery['channel'],
})
