import type { ChangeSignal } from './alarm-relay.ts'
import { clusterClient, type PgTarget } from './pg-client.ts'

/** The channel replicas NOTIFY after committing alarm changes; the payload is empty (the timeline says what). */
export const ALARM_CHANNEL = 'parklink_alarm_changes'

/**
 * LISTEN/NOTIFY on a connection of its own. postgres.js's `sql.listen` re-listens once after a
 * drop and gives up silently if that fails; here the relay's poll calls ensureListening, which
 * LISTENs again on a fresh session whenever the last one closed, and the relay reads the
 * timeline after every (re)connect, so what was committed meanwhile is not missed.
 */
export function pgChangeSignal(target: PgTarget): ChangeSignal {
  let wake: () => void = () => {}
  let listening = false
  let announcing: Promise<unknown> | null = null
  let announceAgain = false
  const sql = clusterClient(target, {
    name: 'alarm changes',
    onnotify: () => wake(),
    onclose: () => {
      listening = false
    },
  })
  const listen = async () => {
    await sql.unsafe(`listen ${ALARM_CHANNEL}`)
    listening = true
    wake()
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
      await announcing
      await sql.end({ timeout: 2 })
    },
  }
}
