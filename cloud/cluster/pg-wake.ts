import type { ChangeSignal } from './alarm-relay.ts'
import { clusterClient, type PgTarget } from './pg-client.ts'

/**
 * The channel replicas NOTIFY after committing changes others must hear of: alarm changes (an
 * empty payload: the timeline says what) and registry edits (REGISTRY_CHANGED: every replica drops
 * its ingest ownership cache, cloud/ingest/ownership.ts).
 */
export const ALARM_CHANNEL = 'parklink_alarm_changes'
export const REGISTRY_CHANGED = 'registry'

/** The alarm signal, and registry edits on the same connection. */
export interface PgChangeSignal extends ChangeSignal {
  /** Told when another replica (or this one) edited the registry, and after every (re)connect (one may have been missed). */
  onRegistryChange(listener: () => void): void
  /** Tells every replica the registry changed. */
  announceRegistry(): void
}

/**
 * LISTEN/NOTIFY on a connection of its own. postgres.js's `sql.listen` re-listens once after a
 * drop and gives up silently if that fails; here the relay's poll calls ensureListening, which
 * LISTENs again on a fresh session whenever the last one closed, and the relay reads the
 * timeline after every (re)connect, so what was committed meanwhile is not missed.
 */
export function pgChangeSignal(target: PgTarget): PgChangeSignal {
  let wake: () => void = () => {}
  const registry = new Set<() => void>()
  const registryChanged = () => {
    for (const l of registry) l()
  }
  let listening = false
  let announcing: Promise<unknown> | null = null
  let announceAgain = false
  const sql = clusterClient(target, {
    name: 'alarm changes',
    onnotify: (_channel: string, payload: string) => (payload === REGISTRY_CHANGED ? registryChanged() : wake()),
    onclose: () => {
      listening = false
    },
  })
  const listen = async () => {
    await sql.unsafe(`listen ${ALARM_CHANNEL}`)
    listening = true
    wake()
    registryChanged()
  }
  // Coalesced: a burst of commits is one NOTIFY in flight and at most one after it.
  const announce = () => {
    if (announcing) {
      announceAgain = true
      return
    }
    announcing = sql`select pg_notify(${ALARM_CHANNEL}, '')`
      .catch(() => {}) // the others' poll reads it anyway
      .finally(() => {
        announcing = null
        if (announceAgain) {
          announceAgain = false
          announce()
        }
      })
  }
  return {
    onRegistryChange: (l) => void registry.add(l),
    announceRegistry: () => void sql`select pg_notify(${ALARM_CHANNEL}, ${REGISTRY_CHANGED})`.catch(() => {}),
    async listen(w) {
      wake = w
      await listen()
    },
    announce,
    async ensureListening() {
      if (!listening) await listen()
    },
    async newestEntry() {
      const [row] = await sql<{ id: string | null }[]>`select max(id)::text as id from alarm_timeline`
      return row?.id ? Number(row.id) : 0
    },
    async close() {
      wake = () => {}
      registry.clear()
      await announcing
      await sql.end({ timeout: 2 })
    },
  }
}
