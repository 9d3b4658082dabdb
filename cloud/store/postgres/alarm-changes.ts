import { asc, desc, eq } from 'drizzle-orm'
import type { AlarmChange, TimelineChange } from '../../alarms/model.ts'
import type { Scope } from '../../auth/roles.ts'
import { changesAfter, entryOfChange } from '../alarm-filter.ts'
import { timelineChangeOf } from '../alarm-rows.ts'
import { owner } from './alarm-reads.ts'
import type { PgDb } from './db.ts'
import { alarmTimeline, alarms, cameras, points } from './schema.ts'

/**
 * Alarm changes read back from the timeline for the alarm stream's resume (issue 14,
 * `Last-Event-ID`), as cloud/store/sqlite/alarm-changes.ts. Identity ids are taken at insert, not
 * at commit: without more, of two transactions appending at once the one with the lower id could
 * commit second and a resume read between the two commits would pass over its entry for good.
 * Every append takes LOCKS.alarmTimeline until its commit (tx.ts), so ids commit in order, as
 * SQLite's serialized writes have it.
 */
export async function alarmChangesSince(
  db: PgDb,
  after: number,
  scope: Scope,
  limit: number,
  skip: readonly string[],
): Promise<TimelineChange[]> {
  const { id, alarm, at, action, detail } = alarmTimeline
  const rows = await db
    .select({ id, alarm, at, action, detail })
    .from(alarmTimeline)
    .innerJoin(alarms, eq(alarms.id, alarm))
    .leftJoin(points, eq(points.id, alarms.point))
    .leftJoin(cameras, eq(owner.cameraPoint, alarms.point))
    .where(changesAfter(after, scope, skip, { id, action, enterprise: owner.enterprise }))
    .orderBy(asc(id))
    .limit(limit)
  return rows.map(timelineChangeOf)
}

/** The timeline entry a live change was written as (the newest, should two match). */
export async function alarmChangeEntry(db: PgDb, change: AlarmChange): Promise<number | null> {
  const [row] = await db
    .select({ id: alarmTimeline.id })
    .from(alarmTimeline)
    .where(entryOfChange(change, alarmTimeline))
    .orderBy(desc(alarmTimeline.id))
    .limit(1)
  return row?.id ?? null
}
