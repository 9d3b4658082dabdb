import type { LeaseLock } from './leader.ts'
import { CLUSTER_LOCKS, ClusterLockKeys, clusterClient, type PgTarget } from './pg-client.ts'

/**
 * The leader lease on PostgreSQL: `pg_try_advisory_lock` (session level) on a connection of its
 * own. The server holds it exactly as long as that session lives, so a replica that dies, hangs
 * past TCP keepalive or is cut off loses it without anyone deciding so, and no lease can outlive
 * its holder. The holder checks the lock is still granted to its current session (postgres.js
 * would silently open a new session after a drop: that one holds nothing), and is told at once
 * when the connection closes.
 */
export function pgLease(target: PgTarget, key: number = ClusterLockKeys.leader): LeaseLock {
  const lost = new Set<() => void>()
  let holding = false
  const sql = clusterClient(target, {
    name: 'leader lease',
    onclose: () => {
      if (!holding) return
      holding = false
      for (const l of lost) l()
    },
  })
  return {
    async tryAcquire() {
      const [row] = await sql<{ ok: boolean }[]>`select pg_try_advisory_lock(${CLUSTER_LOCKS}::int, ${key}::int) as ok`
      holding = row?.ok === true
      return holding
    },
    async stillHeld() {
      // Two int4 keys: classid, objid and objsubid 2 (PostgreSQL's pg_locks documentation).
      const [row] = await sql<{ held: boolean }[]>`
        select exists (
          select 1 from pg_locks
          where locktype = 'advisory' and pid = pg_backend_pid() and granted
            and classid::bigint = ${CLUSTER_LOCKS} and objid::bigint = ${key} and objsubid = 2
        ) as held`
      holding = row?.held === true
      return holding
    },
    onLost(listener) {
      lost.add(listener)
    },
    async close() {
      holding = false
      // Ending the session releases the lock; an explicit unlock first says so sooner when the server is reachable.
      await sql`select pg_advisory_unlock_all()`.catch(() => {})
      await sql.end({ timeout: 2 })
    },
  }
}
