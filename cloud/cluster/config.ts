import { z } from 'zod'
import { TopicId } from '../../shared/wire/ids.ts'

/**
 * Several cloud replicas on one PostgreSQL (issue 16), config `cluster` (optional; only read on
 * `store.engine: postgres`: SQLite is one process, which owns every edge).
 *
 * - `replicaId`: this replica's name, unique among the live replicas (a second process started with
 *   a live replica's id is refused at start, PL_REPLICA_ID_IN_USE). Default: the MQTT client id,
 *   which the park broker binds to the replica's own broker user.
 * - `claimRetryMs`: how long an edge another replica owns is left alone before this replica tries
 *   its lock again (on the edge's next message): the bound on a takeover after a replica dies.
 * - `heartbeatMs` / `leaseTimeoutMs`: the lock session is pinged every heartbeatMs; a ping that
 *   does not answer within leaseTimeoutMs counts as the session lost (every edge dropped), and the
 *   server ends a session idle for leaseTimeoutMs (idle_session_timeout), which releases its locks
 *   when the replica hangs or its link is cut without a TCP reset.
 */
export const ClusterConfig = z
  .strictObject({
    replicaId: TopicId.optional(),
    claimRetryMs: z.number().int().min(100).max(60_000).default(2_000),
    heartbeatMs: z.number().int().min(100).max(60_000).default(2_000),
    leaseTimeoutMs: z.number().int().min(1_000).max(600_000).default(15_000),
  })
  .refine((c) => c.leaseTimeoutMs >= 3 * c.heartbeatMs, {
    message: 'leaseTimeoutMs must be at least 3 × heartbeatMs (a late ping must not end the session)',
    path: ['leaseTimeoutMs'],
  })
export type ClusterConfig = z.infer<typeof ClusterConfig>
