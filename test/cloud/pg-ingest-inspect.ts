import { asc, desc, eq, sql } from 'drizzle-orm'
import type { PgDb } from '../../cloud/store/postgres/db.ts'
import {
  alarms,
  maintenanceWindows,
  notificationDeliveries,
  ruleState,
  sampleBlocks,
  unevaluated,
} from '../../cloud/store/postgres/schema.ts'
import { byteOrder } from '../../cloud/store/postgres/tx.ts'
import type { IngestInspect } from '../conformance/store/ingest.suite.ts'

/**
 * The ingest conformance section's read-back on PostgreSQL, from the tables (the engine's read
 * repositories for telemetry, alarms and windows are other pieces of issue 15).
 */
export function pgInspect(db: PgDb): IngestInspect {
  return {
    sampleCount: async () => {
      const [row] = await db.select({ n: sql<string>`coalesce(sum(${sampleBlocks.count}), 0)` }).from(sampleBlocks)
      return Number(row!.n)
    },
    alarms: () =>
      db
        .select({
          id: alarms.id,
          point: alarms.point,
          kind: alarms.kind,
          state: alarms.state,
          raisedAt: alarms.raisedAt,
          recoveredAt: alarms.recoveredAt,
        })
        .from(alarms)
        .orderBy(asc(alarms.id)),
    ruleStatePoints: async () =>
      (await db.select({ point: ruleState.point }).from(ruleState).orderBy(byteOrder(ruleState.point))).map(
        (r) => r.point,
      ),
    unevaluated: async (point) =>
      (
        await db
          .select({ reason: unevaluated.reason, count: unevaluated.count })
          .from(unevaluated)
          .where(eq(unevaluated.point, point))
          .orderBy(desc(unevaluated.toTs))
      ).map((r) => [r.reason, r.count]),
    approveWindow: async (points, from, to) => {
      await db.insert(maintenanceWindows).values({
        enterprise: 'shilian',
        points,
        from,
        to,
        reason: 'works',
        requestedBy: 'ent',
        requestedAt: from - 1000,
        status: 'approved',
        decidedBy: 'park',
        decidedAt: from - 500,
      })
    },
    deliveries: async () => (await db.select({ id: notificationDeliveries.id }).from(notificationDeliveries)).length,
  }
}
