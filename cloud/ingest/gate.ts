/**
 * Which edges this cloud process handles (issue 16: several replicas, each edge's stream handled
 * by exactly one; cloud/cluster/). Absent (SQLite, one process): every edge is this process's.
 */
export interface IngestGate {
  /**
   * Decided from the topic before the message is opened or queued: 'own' → handle it, 'foreign'
   * → another replica does (ack it to the broker, drop it), a promise → the edge is being
   * claimed; it resolves true when this replica won (the takeover ran), false when not.
   */
  admit(edge: string): 'own' | 'foreign' | Promise<boolean>
  /** Still this replica's (checked again when a queued message's turn comes). */
  owns(edge: string): boolean
  /**
   * This replica cannot tell which edges are its own now (its lock session is down: the database
   * is unreachable). A data message of an edge it does not own is then still handled, so that the
   * store's failure is seen and logged (not acked: the edge resends); the batch transaction's fence
   * keeps it from being stored unless this replica owns the edge.
   */
  down(): boolean
  /** Told once per edge this replica takes (after its ack marks were rebuilt). */
  onAcquired(listener: (edge: string) => void): void
}
