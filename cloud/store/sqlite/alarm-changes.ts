import { asc, desc, eq } from 'drizzle-orm'
import type { AlarmChange, Scope, TimelineChange } from '../store.ts'
import { alarmOwner, changesAfter, entryOfChange } from '../alarm-filter.ts'
import { timelineChangeOf } from '../alarm-rows.ts'
import type { Db } from './db.ts'
import { alarmTimeline, alarms, cameras, points } from './schema.ts'

/**
 * Alarm changes read back from the timeline (append-only: its ids grow in commit order), for
 * the alarm stream's resume (issue 14, `Last-Event-ID`). `skip`: timeline actions the live
 * stream does not carry as changes, so a resumed stream tells what a live one would have.
 */
export function createAlarmChangeOps(db: Db) {
  const { enterprise, cameraPoint } = alarmOwner(points, cameras)
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
        .leftJoin(cameras, eq(cameraPoint, alarms.point))
        .where(changesAfter(after, scope, skip, { id: alarmTimeline.id, action: alarmTimeline.action, enterprise }))
        .orderBy(asc(alarmTimeline.id))
        .limit(limit)
        .all()
      return rows.map(timelineChangeOf)
    },
    /** The timeline entry a live change was written as (the newest, should two match). */
    entryOf(change: AlarmChange): number | null {
      const row = db
        .select({ id: alarmTimeline.id })
        .from(alarmTimeline)
        .where(entryOfChange(change, alarmTimeline))
        .orderBy(desc(alarmTimeline.id))
        .limit(1)
        .get()
      return row?.id ?? null
    },
  }
}
