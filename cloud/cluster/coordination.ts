import type { Logger } from 'pino'
import type { Clock } from '../../shared/clock.ts'
import { type AlarmFeed, UNSTREAMED_ACTIONS } from '../alarms/feed.ts'
import type { AlarmChange } from '../alarms/model.ts'
import { type StoreConfig, storePassword } from '../store/store-config.ts'
import type { Store } from '../store/store.ts'
import { type AlarmRelay, startAlarmRelay } from './alarm-relay.ts'
import type { CoordinationConfig } from './coordination-config.ts'
import { type LeaderJobs, type Leadership, soleLease, startLeadership } from './leader.ts'
import { ClusterLockKeys, type PgTarget } from './pg-client.ts'
import { pgLease } from './pg-lease.ts'
import { type ClusterMutex, pgMutex, soleMutex } from './pg-mutex.ts'
import { pgChangeSignal } from './pg-wake.ts'

/**
 * What several cloud replicas on one PostgreSQL database coordinate (issue 16), and what one
 * SQLite process does alone, behind one interface for cloud/service.ts:
 * - `onAlarmChange`, the store's listener: SQLite publishes to the feed directly; PostgreSQL
 *   announces the commit and every replica's relay hands the feed the timeline (./alarm-relay.ts).
 * - `lead(start)`: the leader's jobs (./leader-jobs.ts) on one replica only (./leader.ts).
 * - `gasLock`: the gas-leak warnings' read-decide-write, exclusive across replicas.
 */
export interface Coordination {
  onAlarmChange(change: AlarmChange): void
  /** After the store opened: the relay starts (PostgreSQL). */
  attach(store: Store): Promise<void>
  /** Runs `start()`'s jobs while this replica leads (at once on SQLite). */
  lead(start: () => LeaderJobs, onChange?: (leading: boolean) => void): Promise<Leadership>
  readonly gasLock: ClusterMutex
  /** This replica edited the registry: every other replica drops what it cached of it. */
  registryChanged(): void
  /** Told when another replica edited the registry (PostgreSQL; never on SQLite). */
  onRegistryChange(listener: () => void): void
  stop(): Promise<void>
}

export interface CoordinationOptions {
  store: StoreConfig
  coordination: CoordinationConfig
  feed: AlarmFeed
  clock: Clock
  log: Logger
  env?: NodeJS.ProcessEnv
  /** auth.liveKeyFile: replicas must sign live-view tokens with one key (the edges trust one). */
  liveKeyFile?: string | undefined
}

export function createCoordination(o: CoordinationOptions): Coordination {
  if (o.store.engine !== 'postgres') return soleCoordination(o)
  sayWhatReplicasShare(o)
  const target: PgTarget = { url: o.store.url as string }
  const password = storePassword(o.store, o.env)
  if (password !== undefined) target.password = password
  return pgCoordination(target, o)
}

function soleCoordination(o: CoordinationOptions): Coordination {
  const leaderships: Leadership[] = []
  return {
    onAlarmChange: (change) => o.feed.publish(change),
    attach: async () => {},
    async lead(start, onChange) {
      const l = await startLeadership({
        lock: soleLease,
        clock: o.clock,
        log: o.log,
        checkMs: 0,
        retryMs: 0,
        start,
        ...(onChange ? { onChange } : {}),
      })
      leaderships.push(l)
      return l
    },
    gasLock: soleMutex,
    registryChanged: () => {},
    onRegistryChange: () => {},
    stop: async () => {
      for (const l of leaderships) await l.stop()
    },
  }
}

function pgCoordination(target: PgTarget, o: CoordinationOptions): Coordination {
  const { coordination: c, clock } = o
  const log = o.log.child({ component: 'cluster' })
  let relay: AlarmRelay | null = null
  const leaderships: Leadership[] = []
  const gasLock = pgMutex(target, ClusterLockKeys.gasWarnings)
  const signal = pgChangeSignal(target)
  return {
    // Read back from the timeline by every replica's relay, this one's too: the feed gets each change once.
    onAlarmChange: () => relay?.changed(),
    async attach(store) {
      relay = await startAlarmRelay({
        read: (after, limit) => store.alarmChangesSince(after, 'all', limit, UNSTREAMED_ACTIONS),
        signal,
        feed: o.feed,
        clock,
        log,
        pollMs: c.relayPollS * 1000,
      })
    },
    async lead(start, onChange) {
      const l = await startLeadership({
        lock: pgLease(target),
        clock,
        log,
        checkMs: c.leaderCheckS * 1000,
        retryMs: c.leaderRetryS * 1000,
        start,
        ...(onChange ? { onChange } : {}),
      })
      leaderships.push(l)
      return l
    },
    gasLock,
    registryChanged: () => signal.announceRegistry(),
    onRegistryChange: (l) => signal.onRegistryChange(l),
    async stop() {
      for (const l of leaderships) await l.stop()
      await relay?.stop()
      await gasLock.close()
    },
  }
}

/**
 * What only a file gives every replica alike: said at start on PostgreSQL (a lone process does not
 * care; several replicas must have it so). The token secret's own warning is cloud/auth/config.ts's.
 */
function sayWhatReplicasShare(o: CoordinationOptions): void {
  const shared: string[] = []
  if (o.liveKeyFile === undefined)
    shared.push('auth.liveKeyFile (else each replica makes its own live-view key and edges trust only one)')
  if (o.store.filesDir === undefined)
    shared.push('store.filesDir on a shared mount (snapshots and the plan image; else each replica keeps its own)')
  if (shared.length > 0)
    o.log.info({ set: shared }, 'running several replicas on this database? then every replica needs the same settings')
}
