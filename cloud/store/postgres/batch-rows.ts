import { and, asc, eq, isNotNull, lte, sql } from 'drizzle-orm'
import type { DataBatch, EdgeAlarm } from '../../../shared/wire/messages.ts'
import { batchRowOf } from '../batch-row.ts'
import { emptyIngestResult } from '../ingest-notes.ts'
import type { IngestMeta, IngestResult } from '../repos/ingest.ts'
import { batches, edges } from './schema.ts'
import type { PgTx } from './tx.ts'

/**
 * The batches table on PostgreSQL as ingest uses it (as cloud/store/sqlite/ingest.ts): the row
 * keyed (edge, outbox, seq) with its content hash, the edge row a batch creates, the batches left
 * for evaluateThrough. Every function runs inside the batch transaction, under the edge's lock.
 */
const key = (edge: string, outbox: string, seq: number) =>
  and(eq(batches.edge, edge), eq(batches.outbox, outbox), eq(batches.seq, seq))

/** The result for a batch whose key is stored already: a duplicate, or a conflict when its content differs (batches stored before hashes count as duplicates). */
export async function storedAlready(tx: PgTx, batch: DataBatch, hash: string): Promise<IngestResult | null> {
  const [row] = await tx
    .select({ hash: batches.hash })
    .from(batches)
    .where(key(batch.edge, batch.outbox, batch.seq))
  if (!row) return null
  if (row.hash !== null && row.hash !== hash)
    return { ...emptyIngestResult(), conflict: { storedHash: row.hash, hash } }
  return { ...emptyIngestResult(), duplicate: true }
}

/** The batch's row; false: its key is stored already (the caller answers duplicate or conflict). */
export async function insertBatchRow(
  tx: PgTx,
  batch: DataBatch,
  meta: IngestMeta & { hash: string },
  mode: { deferred: boolean; historical: boolean },
): Promise<boolean> {
  let maxTs: number | null = null
  for (const s of batch.samples) if (maxTs === null || s.ts > maxTs) maxTs = s.ts
  const rows = await tx
    .insert(batches)
    .values(batchRowOf(batch, meta, mode, maxTs))
    .onConflictDoNothing()
    .returning({ seq: batches.seq })
  return rows.length > 0
}

/** Data proves the edge is connected (its site and last seen move); online and session are decided by status messages. */
export async function touchEdge(tx: PgTx, batch: DataBatch, site: string, receivedAt: number): Promise<void> {
  await tx
    .insert(edges)
    .values({
      id: batch.edge,
      site,
      session: batch.session,
      online: true,
      lastSeen: receivedAt,
      outboxId: batch.outbox,
    })
    .onConflictDoUpdate({
      target: edges.id,
      set: { site, lastSeen: sql`greatest(coalesce(${edges.lastSeen}, 0), excluded.last_seen)` },
    })
}

/** The edge alarms a batch keeps until the replay their episode waits for is settled. */
export async function keepWaiting(
  tx: PgTx,
  at: { edge: string; outbox: string; seq: number },
  waiting: EdgeAlarm[] | null,
) {
  await tx
    .update(batches)
    .set({ alarms: waiting })
    .where(key(at.edge, at.outbox, at.seq))
}

/** The outbox's batches stored ahead of a gap, up to `through`, in seq order. */
export async function pendingBatches(tx: PgTx, edge: string, outbox: string, through: number) {
  return tx
    .select({
      seq: batches.seq,
      alarms: batches.alarms,
      historical: batches.historical,
      samples: batches.pendingSamples,
    })
    .from(batches)
    .where(
      and(eq(batches.edge, edge), eq(batches.outbox, outbox), eq(batches.evaluated, false), lte(batches.seq, through)),
    )
    .orderBy(asc(batches.seq))
}

/** A pending batch evaluated: its samples leave the row; the edge alarms still waiting stay. */
export async function markEvaluated(tx: PgTx, at: { edge: string; outbox: string; seq: number }, waiting: EdgeAlarm[]) {
  await tx
    .update(batches)
    .set({ evaluated: true, alarms: waiting.length > 0 ? waiting : null, pendingSamples: null })
    .where(key(at.edge, at.outbox, at.seq))
}

/** Evaluated batches whose edge alarms waited for a replay. */
export async function batchesWaiting(tx: PgTx, edge: string, outbox: string) {
  return tx
    .select({ seq: batches.seq, alarms: batches.alarms })
    .from(batches)
    .where(
      and(eq(batches.edge, edge), eq(batches.outbox, outbox), eq(batches.evaluated, true), isNotNull(batches.alarms)),
    )
}
