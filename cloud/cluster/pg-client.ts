import postgres from 'postgres'

/** What a cluster connection needs: the store's URL and the password read from store.passwordEnv. */
export interface PgTarget {
  url: string
  password?: string
}

/** Advisory lock namespace of the cluster's own locks ('pkld'), apart from the store's ('pklk', tx.ts). */
export const CLUSTER_LOCKS = 0x706b6c64
export const ClusterLockKeys = {
  /** The leader lease: a session-level lock held for as long as its connection lives. */
  leader: 1,
  /** Gas-leak warnings' read-decide-write (cloud/alarms/gas/service.ts), a transaction-level lock. */
  gasWarnings: 2,
} as const

/**
 * A connection of its own (not the store's pool): one session whose life is the lease's or the
 * listener's. Never recycled (max_lifetime null: a recycled session would drop a session lock
 * silently) and never idled out; TCP keepalive lets a dead peer be noticed. `onclose` is told the
 * moment the session ends.
 */
export function clusterClient(
  target: PgTarget,
  o: { name: string; onclose?: () => void; onnotify?: (channel: string, payload: string) => void },
) {
  // onnotify is an option postgres.js reads (src/connection.js) but does not declare in its types.
  const notify = o.onnotify ? ({ onnotify: o.onnotify } as Record<string, unknown>) : {}
  return postgres(target.url, {
    ...(target.password === undefined ? {} : { password: target.password }),
    max: 1,
    idle_timeout: 0,
    max_lifetime: null,
    keep_alive: 10,
    connect_timeout: 5,
    fetch_types: false,
    onnotice: () => {},
    ...(o.onclose ? { onclose: o.onclose } : {}),
    ...notify,
    connection: { application_name: `parklink-cloud ${o.name}` },
  })
}
