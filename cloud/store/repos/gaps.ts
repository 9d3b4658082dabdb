import type { GapRecord } from '../../../shared/wire/gap.ts'

/** Data the edges dropped before the cloud stored it: their gap records and replaced outboxes. */
export interface GapRepo {
  /** Data the edges dropped before the cloud stored it (gap records, replaced outboxes), newest first. */
  listGaps(filter: GapFilter): Promise<StoredGap[]>
  /** Gap records an edge named outside a batch (its answer to a resend request); a narrower version never replaces a wider one. */
  recordGaps(edge: string, gaps: readonly GapRecord[], receivedAt: number): Promise<void>
}

export interface GapFilter {
  edge?: string
  /** Gaps whose point set holds this point (or is "all"). */
  point?: string
  /** Gaps overlapping [from, to] (source time, epoch ms). */
  from?: number
  to?: number
  limit: number
}

/** A gap record as stored (shared/wire/gap.ts), with its edge and when it reached the cloud. */
export interface EdgeGap extends GapRecord {
  edge: string
  receivedAt: number
}

/**
 * An edge came with a new outbox (disk replaced, file deleted, corrupt file moved aside): what
 * the old one still held unsent is lost, in an amount nobody can know (batches, samples and
 * throughSeq null). `from`–`to`: from the newest sample the cloud had of the old outbox to when it
 * first saw the new one; every point of the edge ("all").
 */
export interface OutboxReplacedGap {
  edge: string
  reason: 'outbox_replaced'
  oldOutbox: string
  newOutbox: string
  /** The last seq and the newest sample time the cloud had from the old outbox (null: none). */
  lastSeq: number | null
  lastTs: number | null
  fromSeq: number | null
  throughSeq: null
  batches: null
  samples: null
  from: number
  to: number
  points: 'all'
  /** When the cloud first saw the new outbox (its clock); receivedAt the same. */
  at: number
  receivedAt: number
}

export type StoredGap = EdgeGap | OutboxReplacedGap
