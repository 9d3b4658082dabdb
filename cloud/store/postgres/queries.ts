import { and, eq } from 'drizzle-orm'
import type { Scope } from '../../auth/roles.ts'
import type { PointClass } from '../../../shared/rules/priority.ts'
import { pointColumns, pointFilterWhere, pointRecordsOf, toPointRecord } from '../point-rows.ts'
import type { PointFilter, PointRecord, StoredSample, TelemetryRepo } from '../repos/telemetry.ts'
import { inScope } from '../sql-scope.ts'
import type { PgDb } from './db.ts'
import type { PgSampleReader } from './sample-reads.ts'
import { points } from './schema.ts'
import { byteOrder } from './tx.ts'

/** Whether a point is visible in a scope: samples carry no enterprise, so outside 'all' the point itself must be in it. */
export async function pointVisible(db: PgDb, point: string, scope: Scope): Promise<boolean> {
  if (scope === 'all') return true
  const rows = await db
    .select({ id: points.id })
    .from(points)
    .where(and(eq(points.id, point), inScope(scope, points.enterprise)))
  return rows.length > 0
}

/** The points and their latest values on PostgreSQL, as SQLite's queries.ts answers them (rows mapped by point-rows.ts). */
export function pgPointQueries(
  db: PgDb,
  reader: PgSampleReader,
): Pick<TelemetryRepo, 'listPoints' | 'getPoint' | 'history' | 'commLossCandidates'> {
  return {
    async listPoints(filter: PointFilter): Promise<PointRecord[]> {
      const where = pointFilterWhere(filter, points)
      // Arrays decoded by point-rows.ts (drizzle's pg select has no values()): every point is read, the
      // ORM's mapping per cell is too dear; a prepared statement per connection, as the text is the same (issue 15).
      const query = db.select(pointColumns(points)).from(points).where(where).orderBy(byteOrder(points.id)).toSQL()
      const rows = await db.$client.unsafe(query.sql, query.params as never[], { prepare: true }).values()
      return pointRecordsOf(points, rows)
    },

    async getPoint(id: string, scope: Scope): Promise<PointRecord | null> {
      const [row] = await db
        .select(pointColumns(points))
        .from(points)
        .where(and(eq(points.id, id), inScope(scope, points.enterprise)))
      return row ? toPointRecord(row) : null
    },

    async history(point, range, scope): Promise<StoredSample[]> {
      if (!(await pointVisible(db, point, scope))) return []
      const enough = { ts: range.from - 1, count: range.limit }
      return (await reader.read(point, range.from, range.to, enough)).slice(0, range.limit)
    },

    async commLossCandidates() {
      const rows = await db
        .select({ id: points.id, class: points.class, lastGoodTs: points.lastGoodTs, edge: points.edge })
        .from(points)
        .where(eq(points.registered, true))
      return rows.map((r) => ({ ...r, class: r.class as PointClass | null }))
    },
  }
}
