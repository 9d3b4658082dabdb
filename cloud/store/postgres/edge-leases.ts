import { createHash } from 'node:crypto'
import { sql } from 'drizzle-orm'
import type postgres from 'postgres'
import type { PgTx } from './tx.ts'

/**
 * The SQL of edge ownership across cloud replicas (issue 16; the design: cloud/cluster/).
 *
 * An edge belongs to the replica whose lock session holds the SESSION-level advisory lock
 * (EDGE_OWNER, key(edge)): PostgreSQL grants it to one session at a time, and releases it the
 * moment that session ends (the replica killed, its connection cut, the server ending an idle
 * session). A replica's own id is a lock of the same kind (REPLICA_ID), so two live processes
 * cannot share one. Namespaces of their own, apart from tx.ts's transaction locks.
 */
export const EDGE_OWNER = 0x706b6c6f // 'pklo'
export const REPLICA_ID = 0x706b6c72 // 'pklr'

/** A 32-bit key of a name (sha256's first bytes): signed for pg_*_advisory_lock, unsigned as pg_locks shows it. */
export function lockKey(name: string): { signed: number; unsigned: number } {
  const digest = createHash('sha256').update(name, 'utf8').digest()
  return { signed: digest.readInt32BE(0), unsigned: digest.readUInt32BE(0) }
}

/** Which server session a lock session is: its backend pid and start (a pid alone may be reused). */
export interface SessionIdentity {
  pid: number
  /** backend_start as epoch seconds text (exact, compared as text). */
  start: string
}

export async function sessionIdentity(client: postgres.Sql): Promise<SessionIdentity> {
  const [row] = await client<{ pid: number; start: string }[]>`
    select pid, extract(epoch from backend_start)::text as start from pg_stat_activity where pid = pg_backend_pid()`
  if (!row) throw new Error('pg_stat_activity does not show this session')
  return { pid: row.pid, start: row.start }
}

/** Tries the lock on the client's session; answers with the session's pid (a changed pid: the session was replaced). */
export async function tryLock(
  client: postgres.Sql,
  namespace: number,
  name: string,
): Promise<{ ok: boolean; pid: number }> {
  const [row] = await client<{ ok: boolean; pid: number }[]>`
    select pg_try_advisory_lock(${namespace}::int, ${lockKey(name).signed}::int) as ok, pg_backend_pid() as pid`
  return { ok: row?.ok === true, pid: row?.pid ?? -1 }
}

export async function unlock(client: postgres.Sql, namespace: number, name: string): Promise<void> {
  await client`select pg_advisory_unlock(${namespace}::int, ${lockKey(name).signed}::int)`
}

/** Who holds a lock now (for the refusal's message): its pid, application name and client address. */
export async function holderOf(
  client: postgres.Sql,
  namespace: number,
  name: string,
): Promise<{ pid: number; application: string; address: string | null } | null> {
  const [row] = await client<{ pid: number; application: string; address: string | null }[]>`
    select l.pid, a.application_name as application, host(a.client_addr) as address
    from pg_locks l join pg_stat_activity a on a.pid = l.pid
    where l.locktype = 'advisory' and l.granted and l.objsubid = 2
      and l.classid = ${namespace}::bigint::oid and l.objid = ${lockKey(name).unsigned}::bigint::oid
      and l.database = (select oid from pg_database where datname = current_database())`
  return row ?? null
}

/**
 * The fence, run INSIDE a batch transaction after the edge's batch lock (tx.ts lockEdgeBatches):
 * does the given lock session (this replica's) still hold the edge's owner lock right now? A
 * replica whose session ended (and whose edge another replica may have taken) sees false and
 * rolls back: what it was about to store is the new owner's to store.
 */
export async function holdsLock(tx: PgTx, holder: SessionIdentity, namespace: number, name: string): Promise<boolean> {
  const rows = await tx.execute(sql`
    select 1 as held from pg_locks l join pg_stat_activity a on a.pid = l.pid
    where l.locktype = 'advisory' and l.granted and l.objsubid = 2
      and l.classid = ${namespace}::bigint::oid and l.objid = ${lockKey(name).unsigned}::bigint::oid
      and l.database = (select oid from pg_database where datname = current_database())
      and l.pid = ${holder.pid}::int and extract(epoch from a.backend_start)::text = ${holder.start}`)
  return rows.length > 0
}
