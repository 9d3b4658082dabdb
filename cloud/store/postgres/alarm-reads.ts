import { and, asc, desc, eq, type SQL } from 'drizzle-orm'
import type { AlarmRecord } from '../../alarms/model.ts'
import type { TimelineEntry } from '../../alarms/workflow.ts'
import type { Scope } from '../../auth/roles.ts'
import { alarmConditions, alarmOwner } from '../alarm-filter.ts'
import { alarmRecordOf, timelineEntryOf } from '../alarm-rows.ts'
import type { AlarmFilter } from '../repos/alarms.ts'
import { inScope } from '../sql-scope.ts'
import { alarmTimeline, alarms, cameras, points } from './schema.ts'
import type { Q } from './tx.ts'

/**
 * Alarms read on PostgreSQL as cloud/store/sqlite/alarms.ts reads them: each with its point's
 * (or camera's) name and enterprise, scoped in SQL (brief §7), the listing newest first.
 */
export const owner = alarmOwner(points, cameras)

const { point, kind, priority, state, closedAt, raisedAt } = alarms
const filterColumns = { point, kind, priority, state, closedAt, raisedAt, ...owner }

/** Alarms with their owner, for `where` (shared with the report reads). */
export const selectAlarms = (q: Q) =>
  q
    .select({ alarm: alarms, pointName: owner.pointName, enterprise: owner.enterprise })
    .from(alarms)
    .leftJoin(points, eq(points.id, alarms.point))
    .leftJoin(cameras, eq(owner.cameraPoint, alarms.point))

/**
 * One alarm in scope, or null. `forUpdate`: the alarm's row stays locked until the caller's
 * transaction ends, so a second person's step on it waits and then decides on this one's result.
 */
export async function findAlarm(q: Q, id: number, scope: Scope, forUpdate = false): Promise<AlarmRecord | null> {
  const where = and(eq(alarms.id, id), inScope(scope, owner.enterprise))
  const query = selectAlarms(q).where(where)
  const [row] = await (forUpdate ? query.for('update', { of: alarms }) : query)
  return row ? alarmRecordOf(row) : null
}

export async function listAlarms(q: Q, filter: AlarmFilter): Promise<AlarmRecord[]> {
  // ILIKE: SQLite's LIKE ignores ASCII case, PostgreSQL's does not.
  const rows = await selectAlarms(q)
    .where(and(...alarmConditions(filter, filterColumns, 'ILIKE')))
    .orderBy(desc(alarms.raisedAt), desc(alarms.id))
    .limit(filter.limit)
    .offset(filter.offset ?? 0)
  return rows.map(alarmRecordOf)
}

/** Alarms matching `where`, oldest raise first (the report reads). */
export async function alarmsOldestFirst(q: Q, where: SQL | undefined): Promise<AlarmRecord[]> {
  const rows = await selectAlarms(q).where(where).orderBy(asc(alarms.raisedAt), asc(alarms.id))
  return rows.map(alarmRecordOf)
}

export async function alarmTimelineOf(q: Q, id: number, scope: Scope): Promise<TimelineEntry[] | null> {
  if (!(await findAlarm(q, id, scope))) return null
  const rows = await q.select().from(alarmTimeline).where(eq(alarmTimeline.alarm, id)).orderBy(asc(alarmTimeline.id))
  return rows.map(timelineEntryOf)
}
