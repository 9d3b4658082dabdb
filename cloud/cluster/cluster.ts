import type { Logger } from 'pino'
import type { Clock } from '../../shared/clock.ts'
import type { CloudConfig } from '../config.ts'
import type { AckTracker } from '../ingest/ack-tracker.ts'
import type { IngestGate } from '../ingest/gate.ts'
import type { BatchFence } from '../store/postgres/ingest.ts'
import { storePassword } from '../store/store-config.ts'
import type { Store } from '../store/store.ts'
import { createEdgeGate } from './gate.ts'
import { createLeaseSession } from './lease-session.ts'
import { takeoverOf } from './takeover.ts'

/**
 * N cloud replicas on one PostgreSQL (issue 16): each edge's stream is handled by exactly one.
 *
 * - Every replica subscribes to every edge (its own broker user and persistent session) and
 *   decides from the topic, before opening or queueing a message, whether the edge is its own
 *   (gate.ts); another replica's edges are acked to the broker and dropped.
 * - Ownership is PostgreSQL's session advisory lock of the edge, held on the replica's lock
 *   session (lease-session.ts): one holder by construction, released when that session ends.
 * - Fencing: every batch transaction checks, under the edge's batch lock, that this replica's
 *   session holds the edge's lock (store/postgres/edge-leases.ts holdsLock), else it rolls back:
 *   a replica that lost its session can never commit a batch of an edge another one took.
 * - Takeover: the edge's marks rebuilt from the store (takeover.ts), then ingest acks the mark
 *   and asks the edge to resend what follows it (what the dead replica took and never stored).
 *
 * Absent (null) on SQLite: one process, every edge its own, nothing changes.
 */
export interface Cluster {
  replicaId: string
  /** The store's batch fence (openStore's `fence`). */
  fence: BatchFence
  /** Opens the lock session (another live replica with this id: PL_REPLICA_ID_IN_USE) and returns ingest's gate. */
  start(deps: { store: Store; tracker: AckTracker }): Promise<IngestGate & { owned(): string[] }>
  /** Ends the lock session: every edge is released at once (the other replicas take them on their next message). */
  stop(): Promise<void>
}

export function createCluster(
  config: Pick<CloudConfig, 'store' | 'cluster' | 'mqtt'>,
  deps: { log: Logger; clock: Clock; env?: NodeJS.ProcessEnv },
): Cluster | null {
  if (config.store.engine !== 'postgres') return null
  const replicaId = config.cluster.replicaId ?? config.mqtt.clientId
  const log = deps.log.child({ component: 'cluster', replicaId })
  const password = storePassword(config.store, deps.env)
  const session = createLeaseSession({
    url: config.store.url as string,
    ...(password === undefined ? {} : { password }),
    replicaId,
    heartbeatMs: config.cluster.heartbeatMs,
    leaseTimeoutMs: config.cluster.leaseTimeoutMs,
    clock: deps.clock,
    log,
  })
  return {
    replicaId,
    fence: (tx, edge) => session.fence(tx, edge),
    async start({ store, tracker }) {
      await session.start()
      const gate = createEdgeGate({
        claim: (edge) => session.claim(edge),
        release: (edge) => session.release(edge),
        takeover: takeoverOf({ store, tracker, clock: deps.clock }),
        forget: (edge) => tracker.forget(edge),
        live: () => session.isLive(),
        retryMs: config.cluster.claimRetryMs,
        clock: deps.clock,
        log,
      })
      session.onLost(() => gate.lost())
      log.info('replica started: edges are claimed as their messages come')
      return gate
    },
    stop: () => session.close(),
  }
}
