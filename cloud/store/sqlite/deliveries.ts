import { and, asc, eq, lte } from 'drizzle-orm'
import type { PlannedPush } from '../../notify/plan.ts'
import type { Delivery, DeliveryOutcome } from '../store.ts'
import { outcomeColumns, withChannel } from '../repos/deliveries.ts'
import { alarmPushRows } from '../push-rows.ts'
import type { Db } from './db.ts'
import { notificationDeliveries } from './schema.ts'

/** The notification ledger: planned pushes, due ones, and the outcome of each attempt. */
export function createDeliveryOps(db: Db) {
  const toDelivery = (r: typeof notificationDeliveries.$inferSelect): Delivery => withChannel(r)
  return {
    enqueue(alarm: number, pushes: readonly PlannedPush[]): number {
      let n = 0
      // Idempotent: a push planned twice (a replayed raise) is one row.
      for (const row of alarmPushRows(alarm, pushes))
        n += db.insert(notificationDeliveries).values(row).onConflictDoNothing().run().changes
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
      db.update(notificationDeliveries)
        .set(outcomeColumns(o))
        .where(and(eq(notificationDeliveries.id, id), eq(notificationDeliveries.status, 'pending')))
        .run()
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
