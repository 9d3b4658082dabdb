import { and, desc, eq, gte, lte, or, sql } from 'drizzle-orm'
import type { GapRecord } from '../../../shared/wire/gap.ts'
import { gapColumns, toEdgeGap } from '../gap-rows.ts'
import type { EdgeGap, GapFilter } from '../store.ts'
import type { Db } from './db.ts'
import { gaps } from './schema.ts'

/** Gap records from the edges (what they dropped before the cloud stored it), and their reads. */
export function createGapOps(db: Db) {
  return {
    /** Stores a record; a version that covers fewer seqs than the stored one changes nothing. Runs inside the batch transaction. */
    upsert(edge: string, g: GapRecord, receivedAt: number): void {
      const row = gapColumns(g, receivedAt)
      db.insert(gaps)
        .values({ edge, fromSeq: g.fromSeq, ...row })
        .onConflictDoUpdate({
          target: [gaps.edge, gaps.fromSeq],
          set: row,
          setWhere: sql`excluded.through_seq >= ${gaps.throughSeq}`,
        })
        .run()
    },

    /** Newest first; a gap is in the time range when it overlaps it. */
    list(filter: GapFilter): EdgeGap[] {
      const where = and(
        filter.edge === undefined ? undefined : eq(gaps.edge, filter.edge),
        filter.from === undefined ? undefined : gte(gaps.toTs, filter.from),
        filter.to === undefined ? undefined : lte(gaps.fromTs, filter.to),
        filter.point === undefined
          ? undefined
          : or(
              eq(gaps.points, 'all'),
              sql`exists (select 1 from json_each(${gaps.points}) where value = ${filter.point})`,
            ),
      )
      return db.select().from(gaps).where(where).orderBy(desc(gaps.toTs)).limit(filter.limit).all().map(toEdgeGap)
    },
  }
}
