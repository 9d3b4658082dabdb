import { and, desc, eq, gte, lte, or, sql } from 'drizzle-orm'
import type { GapRecord } from '../../../shared/wire/gap.ts'
import { gapColumns, toEdgeGap } from '../gap-rows.ts'
import type { EdgeGap, GapFilter } from '../repos/gaps.ts'
import { gaps } from './schema.ts'
import type { Q } from './tx.ts'

/**
 * The edges' gap records (what they dropped before the cloud stored it) on PostgreSQL, as
 * cloud/store/sqlite/gaps.ts: one row per (edge, fromSeq), a wider version replacing a narrower one.
 */

/** Stores a record; a version that covers fewer seqs than the stored one changes nothing (one atomic upsert). */
export async function upsertGap(q: Q, edge: string, g: GapRecord, receivedAt: number): Promise<void> {
  const row = gapColumns(g, receivedAt)
  await q
    .insert(gaps)
    .values({ edge, fromSeq: g.fromSeq, ...row })
    .onConflictDoUpdate({
      target: [gaps.edge, gaps.fromSeq],
      set: row,
      setWhere: sql`excluded.through_seq >= ${gaps.throughSeq}`,
    })
}

/** Newest first; a gap is in the time range when it overlaps it, and names the point when its set holds it (or is "all"). */
export async function listEdgeGaps(q: Q, filter: GapFilter): Promise<EdgeGap[]> {
  const where = and(
    filter.edge === undefined ? undefined : eq(gaps.edge, filter.edge),
    filter.from === undefined ? undefined : gte(gaps.toTs, filter.from),
    filter.to === undefined ? undefined : lte(gaps.fromTs, filter.to),
    filter.point === undefined
      ? undefined
      : or(sql`${gaps.points} = '"all"'::jsonb`, sql`${gaps.points} @> ${JSON.stringify([filter.point])}::jsonb`),
  )
  const rows = await q.select().from(gaps).where(where).orderBy(desc(gaps.toTs)).limit(filter.limit)
  return rows.map(toEdgeGap)
}
