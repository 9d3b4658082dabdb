import type { batchRowOf } from '../batch-row.ts'
import type { Db } from './db.ts'

type BatchRow = ReturnType<typeof batchRowOf>

/** What a batch says of its edge: data proves it is connected (online/session are decided by status messages). */
export interface EdgeTouch {
  id: string
  site: string
  session: string
  lastSeen: number
  outboxId: string
}

// JSON columns as drizzle's json mode writes them; booleans as its boolean mode (1/0).
const json = (v: unknown) => (v === null || v === undefined ? null : JSON.stringify(v))
const bit = (b: boolean) => (b ? 1 : 0)

/**
 * The two rows every batch writes besides its samples (schema.ts `batches`, `edges`), as plain
 * prepared statements: the query builder built and prepared both again for every batch, about a
 * tenth of a batch's JavaScript time (profiled, issue 15). The same SQL and values drizzle wrote.
 */
export function createBatchWrites(db: Db) {
  const insertBatch = db.$client.prepare(
    `INSERT INTO batches (edge, outbox, seq, session, hash, max_ts, floor, received_at, sample_count, evaluated, alarms, pending_samples, historical)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
  )
  const upsertEdge = db.$client.prepare(
    `INSERT INTO edges (id, site, session, online, last_seen, acked_through, outbox_id) VALUES (?, ?, ?, 1, ?, 0, ?)
     ON CONFLICT (id) DO UPDATE SET site = excluded.site, last_seen = max(coalesce(edges.last_seen, 0), excluded.last_seen)`,
  )
  return {
    /** The batch's row, unless its key is stored already: whether it was written. */
    insertBatch(r: BatchRow): boolean {
      return (
        insertBatch.run(
          r.edge,
          r.outbox,
          r.seq,
          r.session,
          r.hash,
          r.maxTs,
          r.floor,
          r.receivedAt,
          r.sampleCount,
          bit(r.evaluated),
          json(r.alarms),
          json(r.pendingSamples),
          bit(r.historical),
        ).changes > 0
      )
    },

    /** The edge exists, is online and was seen (never back in time); a known edge keeps its session and outbox. */
    touchEdge(e: EdgeTouch): void {
      upsertEdge.run(e.id, e.site, e.session, e.lastSeen, e.outboxId)
    },
  }
}
