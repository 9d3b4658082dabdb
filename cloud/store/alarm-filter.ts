import { and, eq, gt, gte, isNull, lt, notInArray, or, sql, type Column, type SQL } from 'drizzle-orm'
import type { AlarmChange } from '../alarms/model.ts'
import type { Scope } from '../auth/roles.ts'
import type { AlarmFilter } from './repos/alarms.ts'
import { inScope } from './sql-scope.ts'

/** The alarms table's columns a listing filters on, and the joined point's (or camera's) name and enterprise. */
export interface AlarmFilterColumns {
  point: Column
  kind: Column
  priority: Column
  state: Column
  closedAt: Column
  raisedAt: Column
  pointName: SQL
  enterprise: SQL
}

/**
 * The WHERE of an alarm listing (AlarmFilter), for either engine. `like`: the operator that
 * matches text without regard to ASCII case (SQLite's LIKE is; PostgreSQL's ILIKE is).
 */
export function alarmConditions(filter: AlarmFilter, c: AlarmFilterColumns, like: 'LIKE' | 'ILIKE'): SQL[] {
  const conditions: SQL[] = []
  const scoped = inScope(filter.scope, c.enterprise)
  if (scoped) conditions.push(scoped)
  if (filter.state === 'active') conditions.push(eq(c.state, 'active'))
  if (filter.state === 'open') conditions.push(isNull(c.closedAt))
  if (filter.point !== undefined) conditions.push(eq(c.point, filter.point))
  if (filter.priority !== undefined) conditions.push(eq(c.priority, filter.priority))
  if (filter.kind !== undefined) conditions.push(eq(c.kind, filter.kind))
  if (filter.text !== undefined) {
    const pattern = `%${filter.text.replace(/[\\%_]/g, (ch) => `\\${ch}`)}%`
    const op = sql.raw(like)
    conditions.push(or(sql`${c.point} ${op} ${pattern} ESCAPE '\\'`, sql`${c.pointName} ${op} ${pattern} ESCAPE '\\'`)!)
  }
  if (filter.enterprise !== undefined) conditions.push(sql`${c.enterprise} = ${filter.enterprise}`)
  if (filter.raisedFrom !== undefined) conditions.push(gte(c.raisedAt, filter.raisedFrom))
  if (filter.raisedTo !== undefined) conditions.push(lt(c.raisedAt, filter.raisedTo))
  return conditions
}

/** How an alarm finds its owner on either engine: a camera's alarms (camera:{id}) take the camera's name and enterprise. */
export const alarmOwner = (
  point: { name: Column; enterprise: Column },
  camera: { id: Column; name: Column; enterprise: Column },
) => ({
  pointName: sql<string | null>`coalesce(${point.name}, ${camera.name})`,
  enterprise: sql<string | null>`coalesce(${point.enterprise}, ${camera.enterprise})`,
  /** Joined on the alarm's point. */
  cameraPoint: sql`'camera:' || ${camera.id}`,
})

/** The timeline entries the alarm stream resumes with: after `after`, in scope, not of a skipped action. */
export const changesAfter = (
  after: number,
  scope: Scope,
  skip: readonly string[],
  c: { id: Column; action: Column; enterprise: SQL },
): SQL | undefined =>
  and(gt(c.id, after), inScope(scope, c.enterprise), skip.length > 0 ? notInArray(c.action, [...skip]) : undefined)

/** The timeline entry a live change was written as. */
export const entryOfChange = (change: AlarmChange, c: { alarm: Column; action: Column; at: Column }): SQL | undefined =>
  and(eq(c.alarm, change.alarm), eq(c.action, change.action), eq(c.at, change.at))
