import { and, asc, eq, lte } from 'drizzle-orm'
import type { PlannedPush } from '../../notify/plan.ts'
import type { Delivery, DeliveryOutcome } from '../store.ts'
import { outcomeColumns, plannedDeliveryRow } from '../repos/deliveries.ts'
import type { Db } from './db.ts'
import { notificationDeliveries } from './schema.ts'

/** The notification ledger: planned pushes, due ones, and the outcome of each attempt. */
export function createDeliveryOps(db: Db) {
  const toDelivery = (r: typeof notificationDeliveries.$inferSelect): Delivery => ({
    ...r,
    channel: r.channel as Delivery['channel'],
  })
  return {
    enqueue(alarm: number, pushes: readonly PlannedPush[]): number {
      let n = 0
      for (const p of pushes) {
        // Idempotent: a push planned twice (a replayed raise) is one row.
        n += db.insert(notificationDeliveries).values(plannedDeliveryRow(alarm, p)).onConflictDoNothing().run().changes
      }
      return n
    },
    due(now: number, limit: number): Delivery[] {
      return db
        .select()
        .from(notificationDeliveries)
        .where(and(eq(notificationDeliveries.status, 'pending'), lte(notificationDeliveries.nextAt, now)))
        .orderBy(asc(notificationDeliveries.nextAt), asc(notificationDeliveries.id))
        .limit(limit)
        .all()
        .map(toDelivery)
    },
    record(id: number, o: DeliveryOutcome): void {
      db.update(notificationDeliveries).set(outcomeColumns(o)).where(eq(notificationDeliveries.id, id)).run()
    },
    forAlarm(alarm: number): Delivery[] {
      return db
        .select()
        .from(notificationDeliveries)
        .where(eq(notificationDeliveries.alarm, alarm))
        .orderBy(asc(notificationDeliveries.dueAt), asc(notificationDeliveries.id))
        .all()
        .map(toDelivery)
    },
  }
}
