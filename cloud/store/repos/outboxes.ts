import type { EdgeAckState } from '../../ingest/ack-tracker.ts'

/** The contiguous-ack marks of each edge's outboxes (an edge's outbox identity: cloud/store/sqlite/outboxes.ts). */
export interface OutboxRepo {
  /** Persists the contiguous-ack mark of one outbox of the edge (never lowers it). */
  setAckedThrough(edge: string, through: number, outbox: string): Promise<void>
  /** Every (edge, outbox) mark and the batches stored above it, to rebuild the ack tracker. */
  loadAckStates(): Promise<EdgeAckState[]>
}
