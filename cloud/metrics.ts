/**
 * In-process counters for the health endpoint. Plain numbers, mutated by ingest and read by the
 * API; nothing here does I/O.
 */
export const RejectReasons = {
  /** The topic is not parklink/v1/{site}/{edge}/{channel}. */
  BAD_TOPIC: 'bad_topic',
  /** The payload failed the shared codec (not JSON, wrong version, schema violation). */
  INVALID_PAYLOAD: 'invalid_payload',
  /** The payload's edge differs from the edge in the topic. */
  EDGE_MISMATCH: 'edge_mismatch',
  /** A batch whose (edge, outbox, seq) is stored with other content: refused, never acked (not a resend). */
  SEQ_CONFLICT: 'seq_conflict',
} as const
export type RejectReason = (typeof RejectReasons)[keyof typeof RejectReasons]

export interface CloudMetrics {
  readonly startedAt: number
  mqtt: { connected: boolean; lastError: string | null; connects: number }
  ingest: {
    /** Data batches stored for the first time. */
    batches: number
    /** Samples stored (duplicates excluded). */
    samples: number
    /** Batches already stored (resends); acked again, nothing stored. */
    duplicates: number
    /** Messages refused, by reason; never stored, never acked. */
    rejected: Record<RejectReason, number>
    /** Messages that could not be stored (store error); not acked, the edge resends. */
    failed: number
    statuses: number
    acks: number
    alarmsRaised: number
    alarmsRecovered: number
  }
}

export function createMetrics(now: number): CloudMetrics {
  return {
    startedAt: now,
    mqtt: { connected: false, lastError: null, connects: 0 },
    ingest: {
      batches: 0,
      samples: 0,
      duplicates: 0,
      rejected: { bad_topic: 0, invalid_payload: 0, edge_mismatch: 0, seq_conflict: 0 },
      failed: 0,
      statuses: 0,
      acks: 0,
      alarmsRaised: 0,
      alarmsRecovered: 0,
    },
  }
}

export function totalRejected(metrics: CloudMetrics): number {
  return Object.values(metrics.ingest.rejected).reduce((a, b) => a + b, 0)
}
