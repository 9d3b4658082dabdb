import { and, asc, desc, eq, gt, notInArray, sql } from 'drizzle-orm'
import type { AlarmChange, Scope, TimelineChange } from '../store.ts'
import type { Db } from './db.ts'
import { alarmTimeline, alarms, cameras, points } from './schema.ts'
import { inScope } from './scope.ts'

/**
 * Alarm changes read back from the timeline (append-only: its ids grow in commit order), for
 * the alarm stream's resume (issue 14, `Last-Event-ID`). `skip`: timeline actions the live
 * stream does not carry as changes, so a resumed stream tells what a live one would have.
 */
export function createAlarmChangeOps(db: Db) {
  const enterprise = sql<string | null>`coalesce(${points.enterprise}, ${cameras.enterprise})`
  return {
    since(after: number, scope: Scope, limit: number, skip: readonly string[]): TimelineChange[] {
      const rows = db
        .select({
          id: alarmTimeline.id,
          alarm: alarmTimeline.alarm,
          at: alarmTimeline.at,
          action: alarmTimeline.action,
          detail: alarmTimeline.detail,
        })
        .from(alarmTimeline)
        .innerJoin(alarms, eq(alarms.id, alarmTimeline.alarm))
        .leftJoin(points, eq(points.id, alarms.point))
        .leftJoin(cameras, eq(sql`'camera:' || ${cameras.id}`, alarms.point))
        .where(
          and(
            gt(alarmTimeline.id, after),
            inScope(scope, enterprise),
            skip.length > 0 ? notInArray(alarmTimeline.action, [...skip]) : undefined,
          ),
        )
        .orderBy(asc(alarmTimeline.id))
        .limit(limit)
        .all()
      return rows.map((r) => ({
        id: r.id,
        change: {
          alarm: r.alarm,
          action: r.action as AlarmChange['action'],
          at: r.at,
          ...(r.detail.historical === true ? { historical: true } : {}),
        },
      }))
    },
    /** The timeline entry a live change was written as (the newest, should two match). */
    entryOf(change: AlarmChange): number | null {
      const row = db
        .select({ id: alarmTimeline.id })
        .from(alarmTimeline)
        .where(
          and(
            eq(alarmTimeline.alarm, change.alarm),
            eq(alarmTimeline.action, change.action),
            eq(alarmTimeline.at, change.at),
          ),
        )
        .orderBy(desc(alarmTimeline.id))
        .limit(1)
        .get()
      return row?.id ?? null
    },
  }
}
