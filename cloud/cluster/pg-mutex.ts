import { CLUSTER_LOCKS, clusterClient, type PgTarget } from './pg-client.ts'

/** Runs `fn` while holding a cluster-wide lock (no other replica runs its `fn` under the same key meanwhile). */
export interface ClusterMutex {
  <T>(fn: () => Promise<T>): Promise<T>
  close(): Promise<void>
}

/**
 * A cluster-wide mutex on PostgreSQL: a transaction on a connection of its own takes
 * `pg_advisory_xact_lock(key)` and stays open while `fn` runs (on the store's pool); the commit
 * releases it, and so does the session's end if this replica dies. For a read-decide-write made of
 * several store calls that must not interleave with another replica's (the gas-leak warnings).
 */
export function pgMutex(target: PgTarget, key: number): ClusterMutex {
  const sql = clusterClient(target, { name: `lock ${key}` })
  const run = <T>(fn: () => Promise<T>): Promise<T> =>
    sql.begin(async (tx) => {
      await tx`select pg_advisory_xact_lock(${CLUSTER_LOCKS}::int, ${key}::int)`
      return await fn()
    }) as Promise<T>
  return Object.assign(run, { close: () => sql.end({ timeout: 2 }) })
}

/** One process (SQLite): nothing to exclude but what the caller serializes itself. */
export const soleMutex: ClusterMutex = Object.assign(<T>(fn: () => Promise<T>) => fn(), { close: async () => {} })
