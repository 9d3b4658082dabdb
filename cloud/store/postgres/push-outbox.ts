import { eq, inArray, sql } from 'drizzle-orm'
import type { AlarmChange, AlarmRecord } from '../../alarms/model.ts'
import { alarmRecordOf } from '../alarm-rows.ts'
import { alarmPushRows } from '../push-rows.ts'
import type { PushPlanner } from '../store.ts'
import type { PgPlanInTx } from './ownership.ts'
import { alarms, cameras, notificationDeliveries, points } from './schema.ts'
import type { PgTx } from './tx.ts'

/** The alarms a transaction's changes name, as records (a camera's alarm takes the camera's name and enterprise). */
async function alarmRecords(tx: PgTx, ids: readonly number[]): Promise<Map<number, AlarmRecord>> {
  const rows = await tx
    .select({
      alarm: alarms,
      pointName: sql<string | null>`coalesce(${points.name}, ${cameras.name})`,
      enterprise: sql<string | null>`coalesce(${points.enterprise}, ${cameras.enterprise})`,
    })
    .from(alarms)
    .leftJoin(points, eq(points.id, alarms.point))
    .leftJoin(cameras, eq(sql`'camera:' || ${cameras.id}`, alarms.point))
    .where(inArray(alarms.id, [...ids]))
  return new Map(rows.map((r) => [r.alarm.id, alarmRecordOf(r)]))
}

/**
 * The transactional outbox for notifications on PostgreSQL (issue 14, as
 * cloud/store/sqlite/push-outbox.ts): the pushes a transaction's alarm changes call for are
 * notification_deliveries rows written in that transaction (one read of the alarms, one
 * multi-row INSERT), so a crash between the commit and the dispatcher cannot lose a push. Who is
 * told is the injected planner's policy (cloud/notify/plan.ts); a push planned twice is one row.
 */
export function pgPushOutbox(planner: PushPlanner | undefined): PgPlanInTx {
  if (!planner) return async () => {}
  return async (tx, changes: readonly AlarmChange[]) => {
    if (changes.length === 0) return
    const records = await alarmRecords(tx, [...new Set(changes.map((c) => c.alarm))])
    const rows: Array<typeof notificationDeliveries.$inferInsert> = []
    for (const c of changes) {
      const alarm = records.get(c.alarm)
      if (!alarm) continue
      rows.push(...alarmPushRows(alarm.id, planner(alarm, c)))
    }
    if (rows.length > 0) await tx.insert(notificationDeliveries).values(rows).onConflictDoNothing()
  }
}
