import { and, eq, gte, lte, sql, type Column, type SQL, type Table } from 'drizzle-orm'
import type { GapRecord } from '../../shared/wire/gap.ts'
import type { EdgeGap, GapFilter, OutboxReplacedGap, StoredGap } from './repos/gaps.ts'

/**
 * The gaps' row mapping and merge, engine-neutral: both engines (cloud/store/sqlite,
 * cloud/store/postgres) write the rows these build and read through them, so /api/v1/gaps
 * cannot differ between them.
 */

/** The columns of a gap record beyond its key (edge, fromSeq): what a wider version replaces. */
export const gapColumns = (g: GapRecord, receivedAt: number) => ({
  reason: g.reason,
  throughSeq: g.throughSeq,
  batches: g.batches,
  samples: g.samples,
  fromTs: g.from,
  toTs: g.to,
  points: g.points,
  droppedAt: g.at,
  receivedAt,
})

type GapRow = ReturnType<typeof gapColumns> & { edge: string; fromSeq: number }

export const toEdgeGap = (r: GapRow): EdgeGap => ({
  edge: r.edge,
  reason: r.reason,
  fromSeq: r.fromSeq,
  throughSeq: r.throughSeq,
  batches: r.batches,
  samples: r.samples,
  from: r.fromTs,
  to: r.toTs,
  points: r.points,
  at: r.droppedAt,
  receivedAt: r.receivedAt,
})

export interface ReplacementRow {
  edge: string
  newOutbox: string
  oldOutbox: string
  lastSeq: number | null
  lastTs: number | null
  seenAt: number
}

/** A replacement as /api/v1/gaps shows it: data may be missing from the newest sample the cloud had of the old outbox until the new one was seen. */
export function replacementGap(r: ReplacementRow): OutboxReplacedGap {
  const from = Math.min(r.lastTs ?? r.seenAt, r.seenAt)
  return {
    edge: r.edge,
    reason: 'outbox_replaced',
    oldOutbox: r.oldOutbox,
    newOutbox: r.newOutbox,
    lastSeq: r.lastSeq,
    lastTs: r.lastTs,
    fromSeq: r.lastSeq === null ? null : r.lastSeq + 1,
    throughSeq: null,
    batches: null,
    samples: null,
    from,
    to: r.seenAt,
    points: 'all',
    at: r.seenAt,
    receivedAt: r.seenAt,
  }
}

/**
 * The filter on replaced outboxes (either engine's outbox_replacements and points tables): the
 * same filter as the edges' gap records, a replacement spanning [coalesce(lastTs, seenAt), seenAt].
 */
export function replacementsWhere(
  r: { edge: Column; seenAt: Column; lastTs: Column },
  p: { table: Table; id: Column; edge: Column },
  filter: GapFilter,
): SQL | undefined {
  const from = sql<number>`coalesce(${r.lastTs}, ${r.seenAt})`
  return and(
    filter.edge === undefined ? undefined : eq(r.edge, filter.edge),
    filter.from === undefined ? undefined : gte(r.seenAt, filter.from),
    filter.to === undefined ? undefined : lte(from, filter.to),
    // Every point of the edge: of the edge the point belongs to.
    filter.point === undefined
      ? undefined
      : sql`${r.edge} = (select ${p.edge} from ${p.table} where ${p.id} = ${filter.point})`,
  )
}

/** The edges' gap records and the replaced outboxes in one list, newest end first, at most `limit`. */
export function mergeGaps(edgeGaps: readonly StoredGap[], replaced: readonly StoredGap[], limit: number): StoredGap[] {
  return [...edgeGaps, ...replaced].sort((a, b) => b.to - a.to).slice(0, limit)
}
