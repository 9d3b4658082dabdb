import { and, asc, eq, getTableColumns, lte, sql } from 'drizzle-orm'
import { outcomeColumns, withChannel, type DeliveryRepo } from '../repos/deliveries.ts'
import { inScope } from '../sql-scope.ts'
import type { PgDb } from './db.ts'
import { alarms, cameras, notificationDeliveries as nd, points } from './schema.ts'

/**
 * The alarms' push ledger on PostgreSQL, as cloud/store/sqlite/deliveries.ts. Its rows are
 * written with the alarm change that plans them (the push outbox, in the alarm's transaction);
 * here: the due ones, each attempt's outcome, and an alarm's pushes.
 *
 * Two dispatchers (cloud replicas) polling at once may both be handed one due push: the contract
 * returns due rows and holds nothing while they are sent, so a row lock (FOR UPDATE SKIP LOCKED)
 * would end with duePushes' own statement. What it does guarantee on both engines: the first
 * finished outcome recorded stays (a conditional UPDATE), so a late second attempt cannot turn a
 * sent push into a failed one.
 */

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
