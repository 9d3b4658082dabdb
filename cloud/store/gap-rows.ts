import type { GapRecord } from '../../shared/wire/gap.ts'
import type { EdgeGap, OutboxReplacedGap, StoredGap } from './repos/gaps.ts'

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

/** The edges' gap records and the replaced outboxes in one list, newest end first, at most `limit`. */
export function mergeGaps(edgeGaps: readonly StoredGap[], replaced: readonly StoredGap[], limit: number): StoredGap[] {
  return [...edgeGaps, ...replaced].sort((a, b) => b.to - a.to).slice(0, limit)
}
