import type { EdgeAckState } from '../../ingest/ack-tracker.ts'

/** The contiguous-ack marks of each edge's outboxes (an edge's outbox identity: cloud/store/sqlite/outboxes.ts). */
export interface OutboxRepo {
  /** Persists the contiguous-ack mark of one outbox of the edge (never lowers it). */
  setAckedThrough(edge: string, through: number, outbox: string): Promise<void>
  /**
   * Every (edge, outbox) mark and the batches stored above it, to rebuild the ack tracker; with
   * `edge`, that edge's only (a replica taking it over, issue 16: read after any batch
   * transaction of the edge still running has finished).
   */
  loadAckStates(edge?: string): Promise<EdgeAckState[]>
}
