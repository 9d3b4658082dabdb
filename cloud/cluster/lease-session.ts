import postgres from 'postgres'
import type { Logger } from 'pino'
import type { Clock } from '../../shared/clock.ts'
import { ErrorCodes, ParklinkError, errorMessage } from '../../shared/errors.ts'
import { startPeriodic } from '../../shared/periodic.ts'
import {
  EDGE_OWNER,
  REPLICA_ID,
  type SessionIdentity,
  holderOf,
  holdsLock,
  sessionIdentity,
  tryLock,
  unlock,
} from '../store/postgres/edge-leases.ts'
import type { PgTx } from '../store/postgres/tx.ts'

export interface LeaseSessionOptions {
  url: string
  password?: string
  replicaId: string
  heartbeatMs: number
  leaseTimeoutMs: number
  clock: Clock
  log: Logger
}

/** This replica's lock session (cloud/cluster/README in cluster.ts): the edges it owns are the locks it holds. */
export interface LeaseSession {
  /** Connects and takes the replica id's lock; another live replica with this id: PL_REPLICA_ID_IN_USE. */
  start(): Promise<void>
  /** Tries the edge's owner lock: false when another replica holds it or the session is down. */
  claim(edge: string): Promise<boolean>
  /** Gives an edge's lock back (a takeover that could not finish). */
  release(edge: string): Promise<void>
  /** Inside a batch transaction: throws PL_EDGE_NOT_OWNED unless this session holds the edge's lock now. */
  fence(tx: PgTx, edge: string): Promise<void>
  /** The session is open (false: lost, or not opened again yet). */
  isLive(): boolean
  /** Told each time the session (and with it every lock) is lost. */
  onLost(listener: () => void): void
  close(): Promise<void>
}

interface Live {
  client: postgres.Sql
  identity: SessionIdentity
}

export const notOwned = (edge: string, why: string) =>
  new ParklinkError(ErrorCodes.EDGE_NOT_OWNED, `this replica does not own edge ${edge} (${why}): not stored`, {
    hint: 'nothing to do: the replica that owns the edge stores it when the edge resends',
  })

/**
 * One dedicated PostgreSQL connection per replica (never the pool's: a pooled connection's locks
 * would outlive their user). It is pinged every heartbeatMs; the server ends it when idle for
 * leaseTimeoutMs (idle_session_timeout, so a hung replica or a silent network cut releases its
 * edges), and postgres.js must never recycle it (max_lifetime: null): a new connection is a new
 * session WITHOUT the old locks. Whenever the connection closes, or a query answers from another
 * backend, the session counts as lost: listeners drop every edge, and the next claim or heartbeat
 * opens a new session (taking the replica id's lock again).
 */
export function createLeaseSession(options: LeaseSessionOptions): LeaseSession {
  const { log, replicaId } = options
  let live: Live | null = null
  let opening: Promise<Live> | null = null
  let closed = false
  const listeners: Array<() => void> = []

  const lose = (client: postgres.Sql, why: string) => {
    if (live?.client !== client) return
    live = null
    void client.end({ timeout: 0 }).catch(() => {})
    if (!closed) log.warn({ replicaId, why }, 'lock session lost: every edge of this replica dropped until it is back')
    for (const l of listeners) l()
  }

  const open = async (): Promise<Live> => {
    const client: postgres.Sql = postgres(options.url, {
      ...(options.password === undefined ? {} : { password: options.password }),
      max: 1,
      max_lifetime: null,
      idle_timeout: 0,
      connect_timeout: 10,
      onnotice: () => {},
      connection: {
        application_name: `parklink-replica:${replicaId}`,
        idle_session_timeout: options.leaseTimeoutMs,
      },
      onclose: () => lose(client, 'connection closed'),
    })
    try {
      const identity = await sessionIdentity(client)
      const own = await tryLock(client, REPLICA_ID, replicaId)
      if (!own.ok) throw await inUse(client)
      return { client, identity }
    } catch (err) {
      await client.end({ timeout: 0 }).catch(() => {})
      throw err
    }
  }

  const inUse = async (client: postgres.Sql) => {
    const holder = await holderOf(client, REPLICA_ID, replicaId).catch(() => null)
    const where = holder
      ? ` (PostgreSQL backend ${holder.pid}, ${holder.application}, from ${holder.address ?? 'a local socket'})`
      : ''
    return new ParklinkError(
      ErrorCodes.REPLICA_ID_IN_USE,
      `another cloud replica is running with replica id "${replicaId}"${where}`,
      {
        hint: 'give each replica its own cluster.replicaId (default: its MQTT client id, i.e. its own broker user); if the other one is a stopped replica, its session ends within cluster.leaseTimeoutMs',
      },
    )
  }

  /** The live session, opening one when there is none (one attempt at a time). */
  const session = async (): Promise<Live> => {
    if (live) return live
    if (closed) throw new Error('the lock session is closed')
    opening ??= open().then(
      (l) => {
        opening = null
        live = l
        log.info({ replicaId, backend: l.identity.pid }, 'lock session open: this replica may own edges')
        return l
      },
      (err: unknown) => {
        opening = null
        throw err
      },
    )
    return opening
  }

  const ping = async () => {
    const l = live
    if (!l) {
      if (!closed) await session()
      return
    }
    let timer: ReturnType<Clock['setTimeout']> | null = null
    const late = new Promise<never>((_, reject) => {
      timer = options.clock.setTimeout(() => reject(new Error('ping not answered in time')), options.leaseTimeoutMs / 2)
    })
    try {
      const [row] = await Promise.race([l.client<{ pid: number }[]>`select pg_backend_pid() as pid`, late])
      if (row?.pid !== l.identity.pid) lose(l.client, 'the connection was replaced')
    } catch (err) {
      lose(l.client, errorMessage(err))
    } finally {
      if (timer !== null) options.clock.clearTimeout(timer)
    }
  }
  let heartbeat: ReturnType<typeof startPeriodic> | null = null

  return {
    async start() {
      await session()
      heartbeat = startPeriodic(options.clock, options.heartbeatMs, ping, (err) =>
        log.warn({ replicaId, err: errorMessage(err) }, 'lock session not open; retrying'),
      )
    },
    async claim(edge) {
      let l: Live
      try {
        l = await session()
      } catch (err) {
        log.warn({ replicaId, edge, err: errorMessage(err) }, 'cannot claim the edge: no lock session')
        return false
      }
      const r = await tryLock(l.client, EDGE_OWNER, edge)
      if (r.pid === l.identity.pid) return r.ok
      lose(l.client, 'the connection was replaced')
      return false
    },
    async release(edge) {
      if (live) await unlock(live.client, EDGE_OWNER, edge)
    },
    async fence(tx, edge) {
      const l = live
      if (!l) throw notOwned(edge, 'its lock session is down')
      if (!(await holdsLock(tx, l.identity, EDGE_OWNER, edge))) throw notOwned(edge, 'its lock is not held')
    },
    isLive: () => live !== null,
    onLost(listener) {
      listeners.push(listener)
    },
    async close() {
      closed = true
      heartbeat?.stop()
      await opening?.catch(() => {})
      const l = live
      live = null
      if (l) await l.client.end({ timeout: 2 })
    },
  }
}
