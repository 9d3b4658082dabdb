import { and, asc, eq, lte } from 'drizzle-orm'
import type { PlannedGasPush } from '../../alarms/gas/pushes.ts'
import { gasPushRows } from '../push-rows.ts'
import { outcomeColumns, withChannel, type DeliveryOutcome } from '../repos/deliveries.ts'
import type { GasDelivery } from '../repos/gas-warnings.ts'
import type { Db } from './db.ts'
import { gasWarningDeliveries as t } from './schema.ts'

/** The gas-leak warnings' push ledger: planned with the step (in its transaction), due ones, each attempt's outcome. */
export function createGasDeliveryOps(db: Db) {
  const toDelivery = (r: typeof t.$inferSelect): GasDelivery => withChannel(r)
  return {
    enqueue(warning: number, pushes: readonly PlannedGasPush[]): void {
      // Idempotent: a step planned twice is one row per recipient and channel.
      for (const row of gasPushRows(warning, pushes)) db.insert(t).values(row).onConflictDoNothing().run()
    },
    due(now: number, limit: number): GasDelivery[] {
      return db
        .select()
        .from(t)
        .where(and(eq(t.status, 'pending'), lte(t.nextAt, now)))
        .orderBy(asc(t.nextAt), asc(t.id))
        .limit(limit)
        .all()
        .map(toDelivery)
    },
    record(id: number, o: DeliveryOutcome): void {
      db.update(t)
        .set(outcomeColumns(o))
        .where(and(eq(t.id, id), eq(t.status, 'pending')))
        .run()
    },
    forWarning(warning: number): GasDelivery[] {
      return db.select().from(t).where(eq(t.warning, warning)).orderBy(asc(t.dueAt), asc(t.id)).all().map(toDelivery)
    },
  }
}
