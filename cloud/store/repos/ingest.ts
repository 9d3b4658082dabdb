import type { DataBatch } from '../../../shared/wire/messages.ts'
import type { UnevaluatedRecord } from './telemetry.ts'

/**
 * Data batches in (issue 15: "a batch, its samples, its alarm changes, its planned pushes and the
 * ack mark commit together or not at all"). `ingestBatch` and `evaluateThrough` are each ONE
 * unit of work: an engine runs the whole call in one transaction (SQLite: better-sqlite3's
 * synchronous transaction; PostgreSQL: one `sql.begin`), loading what the alarm engine needs,
 * asking it (cloud/alarms/engine: pure decisions) and saving what it decided; the changes are
 * told (onAlarmChange) only after the commit, and the ack is sent only after the promise settles.
 */
export interface IngestRepo {
  /**
   * Stores one data batch in ONE transaction: the batch row (unique (edge, outbox, seq), with a
   * hash of its content), its samples, the latest value of each point (only when newer), rule
   * evaluation, alarm rows and rule state. An (edge, outbox, seq) already stored with the same
   * content is a duplicate, with other content a conflict: nothing else is written.
   */
  ingestBatch(batch: DataBatch, meta: IngestMeta): Promise<IngestResult>
  /**
   * Rules run over each outbox's batches in seq order. A batch stored with `inOrder: false` (it
   * arrived ahead of a gap) is evaluated here, in seq order, once the contiguous mark passes it.
   */
  evaluateThrough(edge: string, through: number, at: number, outbox: string): Promise<IngestResult>
}

export interface IngestMeta {
  site: string
  receivedAt: number
  /** The batch's content hash as the edge sent it (cloud/store/content-hash.ts); absent: hashed here. */
  hash?: string
  inOrder?: boolean
  ackedThrough?: number
  /**
   * The cloud's verdict on whether the batch's alarm changes are history (not notified), when
   * it differs from the edge's `historical` mark (cloud/ingest/time-check.ts). Absent: the mark.
   */
  historical?: boolean
}

export interface IngestResult {
  duplicate: boolean
  /**
   * Set when (edge, outbox, seq) is stored with other content (SHA-256 of samples, alarms and
   * events: cloud/store/content-hash.ts): not a resend. Nothing was written; it must not be acked.
   */
  conflict?: { storedHash: string; hash: string }
  samples: number
  raised: number
  recovered: number
  /** Samples older than their point's last evaluated one: stored, not evaluated (traced: listUnevaluated). */
  stale: number
  /** Samples the rules did not evaluate, by reason (traced per point: listUnevaluated); absent: none. */
  unevaluated?: Record<UnevaluatedRecord['reason'], number>
  /** Raises not made because an approved maintenance window covered them. */
  suppressed: number
  /** Alarm changes the edge sent: matched to the cloud's own episode, or not (limits differ?). */
  edgeAlarms: { matched: number; unmatched: number }
  /** Stored but not evaluated yet: it arrived ahead of a gap in the edge's seqs. */
  deferred?: boolean
}
