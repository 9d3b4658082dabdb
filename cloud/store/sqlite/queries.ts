import { and, asc, eq } from 'drizzle-orm'
import type { PointClass } from '../../../shared/rules/priority.ts'
import { toEdgeRecord } from '../edge-rows.ts'
import type { EdgeRecord, PointFilter, PointRecord, StoredSample } from '../store.ts'
import type { Db } from './db.ts'
import { edgeOutboxes, edges, points } from './schema.ts'
import type { SampleReader } from './sample-reads.ts'
import { pointColumns, pointFilterWhere, pointRecordsOf, toPointRecord } from '../point-rows.ts'
import { inScope } from './scope.ts'
import type { Scope } from '../store.ts'

/** The API's reads. */
export function createQueries(db: Db, reader: SampleReader) {
  const toPoint = toPointRecord

  return {
    commLossCandidates() {
      return db
        .select({ id: points.id, class: points.class, lastGoodTs: points.lastGoodTs, edge: points.edge })
        .from(points)
        .where(eq(points.registered, true))
        .all()
        .map((r) => ({ ...r, class: r.class as PointClass | null }))
    },
    listEdges(): EdgeRecord[] {
      // The mark shown is the current outbox's (edges.acked_through only for an edge that never named one).
      return db
        .select({ e: edges, mark: edgeOutboxes.ackedThrough })
        .from(edges)
        .leftJoin(edgeOutboxes, and(eq(edgeOutboxes.edge, edges.id), eq(edgeOutboxes.outbox, edges.outboxId)))
        .orderBy(asc(edges.id))
        .all()
        .map(({ e, mark }) => toEdgeRecord(e, mark))
    },

    listPoints(filter: PointFilter): PointRecord[] {
      const where = pointFilterWhere(filter, points)
      // Arrays decoded by point-rows.ts: every point is read, the ORM's mapping per cell is too dear (issue 15).
      const rows = db.select(pointColumns(points)).from(points).where(where).orderBy(asc(points.id)).values()
      return pointRecordsOf(points, rows)
    },

    getPoint(id: string, scope: Scope): PointRecord | null {
      const row = db
        .select(pointColumns(points))
        .from(points)
        .where(and(eq(points.id, id), inScope(scope, points.enterprise)))
        .get()
      return row ? toPoint(row) : null
    },

    history(point: string, range: { from: number; to: number; limit: number }, scope: Scope): StoredSample[] {
      // Samples carry no enterprise: outside 'all', the point itself must be in the scope.
      if (
        scope !== 'all' &&
        !db
          .select({ id: points.id })
          .from(points)
          .where(and(eq(points.id, point), inScope(scope, points.enterprise)))
          .get()
      )
        return []
      // The historian's order (by time, ties in arrival order): sample-reads.ts.
      return reader.read(point, range.from, range.to, { ts: range.from - 1, count: range.limit }).slice(0, range.limit)
    },
  }
}
