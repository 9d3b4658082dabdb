import { and, asc, eq, getTableColumns, inArray, lte, sql } from 'drizzle-orm'
import { outcomeColumns, withChannel, type DeliveryRepo } from '../repos/deliveries.ts'
import { inScope } from '../sql-scope.ts'
import type { PgDb } from './db.ts'
import { alarms, cameras, notificationDeliveries as nd, points } from './schema.ts'

/**
 * The alarms' push ledger on PostgreSQL, as cloud/store/sqlite/deliveries.ts. Its rows are
 * written with the alarm change that plans them (the push outbox, in the alarm's transaction);
 * here: the due ones, each attempt's outcome, and an alarm's pushes.
 *
 * Two dispatchers (cloud replicas) polling at once are never handed one due push: the dispatcher
 * claims (claimPushes: FOR UPDATE SKIP LOCKED, then next_at moved to the lease's end in the same
 * statement, so the claim outlasts the row lock), duePushes only reads. And the first finished
 * outcome recorded stays (a conditional UPDATE), so a late second attempt cannot turn a sent push
 * into a failed one.
 */

/** Claimed rows in the order duePushes lists them (their next_at is now the lease's end). */
export const byDue = (a: { dueAt: number; id: number }, b: { dueAt: number; id: number }) =>
  a.dueAt - b.dueAt || a.id - b.id

/** The alarm's enterprise as SQLite's alarm queries have it: its point's, or its camera's (camera:{id}). */
const alarmEnterprise = sql<string | null>`coalesce(${points.enterprise}, ${cameras.enterprise})`

export function pgDeliveryOps(db: PgDb): DeliveryRepo {
  return {
    duePushes: async (now, limit) =>
      (
        await db
          .select()
          .from(nd)
          .where(and(eq(nd.status, 'pending'), lte(nd.nextAt, now)))
          .orderBy(asc(nd.nextAt), asc(nd.id))
          .limit(limit)
      ).map(withChannel),

    // Issue 16: each due row to one dispatcher (SKIP LOCKED), not due again before the lease ends.
    claimPushes: async (now, limit, leaseMs) => {
      const due = db
        .select({ id: nd.id })
        .from(nd)
        .where(and(eq(nd.status, 'pending'), lte(nd.nextAt, now)))
        .orderBy(asc(nd.nextAt), asc(nd.id))
        .limit(limit)
        .for('update', { skipLocked: true })
      const rows = await db
        .update(nd)
        .set({ nextAt: now + leaseMs })
        .where(inArray(nd.id, due))
        .returning()
      return rows.sort(byDue).map(withChannel)
    },

    recordPush: async (id, o) => {
      await db
        .update(nd)
        .set(outcomeColumns(o))
        .where(and(eq(nd.id, id), eq(nd.status, 'pending')))
    },

    // One statement: the alarm's scope and its pushes are read together.
    alarmDeliveries: async (alarm, scope) =>
      (
        await db
          .select(getTableColumns(nd))
          .from(nd)
          .innerJoin(alarms, eq(alarms.id, nd.alarm))
          .leftJoin(points, eq(points.id, alarms.point))
          .leftJoin(cameras, eq(sql`'camera:' || ${cameras.id}`, alarms.point))
          .where(and(eq(nd.alarm, alarm), inScope(scope, alarmEnterprise)))
          .orderBy(asc(nd.dueAt), asc(nd.id))
      ).map(withChannel),
  }
}
