import { and, desc, eq, gt, max, sql } from 'drizzle-orm'
import type { EdgeAckState } from '../../ingest/ack-tracker.ts'
import { replacementGap, replacementsWhere } from '../gap-rows.ts'
import { currentLast, isCurrentOutbox, LEGACY_OUTBOX } from '../outbox-rows.ts'
import type { GapFilter, OutboxReplacedGap } from '../repos/gaps.ts'
import { batches, edgeOutboxes, edges, outboxReplacements, points, replayState } from './schema.ts'
import type { PgTx, Q } from './tx.ts'

/**
 * The outboxes of each edge on PostgreSQL (shared/wire/messages.ts OutboxId), as
 * cloud/store/sqlite/outboxes.ts: which is current, the ack mark of each, and the replacements
 * (an edge that came with a new outbox) listed with the gaps.
 */

/** What the cloud learnt from the outbox id a batch named (see noteOutbox()). */
export type OutboxSeen =
  | { kind: 'current' }
  /** The edge's first named outbox: it takes over the batches stored before outbox ids (`adopted`). */
  | { kind: 'first'; adopted: number }
  /** A new outbox replaced the edge's current one: a gap of unknown size. */
  | { kind: 'replaced'; replacement: OutboxReplacedGap }
  /** An outbox the edge named before (e.g. a backlog restored from a backup): stored under its own id. */
  | { kind: 'earlier'; previous: string }

const ofOutbox = (edge: string, outbox: string) => and(eq(edgeOutboxes.edge, edge), eq(edgeOutboxes.outbox, outbox))

/** The edge's first named outbox takes over its legacy rows: the same file, only named now. */
async function adoptLegacy(tx: PgTx, edge: string, outbox: string): Promise<number> {
  const [legacy] = await tx
    .delete(edgeOutboxes)
    .where(ofOutbox(edge, LEGACY_OUTBOX))
    .returning({ through: edgeOutboxes.ackedThrough })
  if (legacy) await tx.update(edgeOutboxes).set({ ackedThrough: legacy.through }).where(ofOutbox(edge, outbox))
  await tx
    .update(replayState)
    .set({ outbox })
    .where(and(eq(replayState.edge, edge), eq(replayState.outbox, LEGACY_OUTBOX)))
  const moved = await tx
    .update(batches)
    .set({ outbox })
    .where(and(eq(batches.edge, edge), eq(batches.outbox, LEGACY_OUTBOX)))
    .returning({ seq: batches.seq })
  return moved.length
}

async function recordReplacement(tx: PgTx, edge: string, oldOutbox: string, newOutbox: string, seenAt: number) {
  const [last] = await tx
    .select({ seq: max(batches.seq), ts: max(batches.maxTs) })
    .from(batches)
    .where(and(eq(batches.edge, edge), eq(batches.outbox, oldOutbox)))
  const row = { edge, newOutbox, oldOutbox, lastSeq: last?.seq ?? null, lastTs: last?.ts ?? null, seenAt }
  await tx.insert(outboxReplacements).values(row).onConflictDoNothing()
  return replacementGap(row)
}

/**
 * A batch of the edge named `outbox`: inside the batch's transaction, before its batch row is
 * written, with the edge's writers serialized by the caller (the outbox of the newest batch
 * becomes the edge's current one; the edge row exists or the batch creates none).
 */
export async function noteOutbox(tx: PgTx, edge: string, outbox: string, seenAt: number): Promise<OutboxSeen> {
  const [row] = await tx.select({ outbox: edges.outboxId }).from(edges).where(eq(edges.id, edge))
  const current = row?.outbox ?? null
  if (current === outbox) return { kind: 'current' }
  await tx.update(edges).set({ outboxId: outbox }).where(eq(edges.id, edge))
  const [known] = await tx
    .select({ firstSeen: edgeOutboxes.firstSeen })
    .from(edgeOutboxes)
    .where(ofOutbox(edge, outbox))
  if (known && current !== null) return { kind: 'earlier', previous: current }
  if (!known) await tx.insert(edgeOutboxes).values({ edge, outbox, firstSeen: seenAt, ackedThrough: 0 })
  if (current === null) return { kind: 'first', adopted: await adoptLegacy(tx, edge, outbox) }
  return { kind: 'replaced', replacement: await recordReplacement(tx, edge, current, outbox, seenAt) }
}

/** Persists the contiguous-ack mark of an outbox noteOutbox() has seen; one atomic statement that never lowers it. */
export async function setAckMark(q: Q, edge: string, outbox: string, through: number): Promise<void> {
  await q
    .update(edgeOutboxes)
    .set({ ackedThrough: sql`greatest(${edgeOutboxes.ackedThrough}, ${through})` })
    .where(ofOutbox(edge, outbox))
}

/** Every outbox's mark and the batches stored above it, the edge's current outbox last (the tracker's `latest`). */
export async function ackStates(q: Q, edge?: string): Promise<EdgeAckState[]> {
  const ofEdge = edge === undefined ? undefined : eq(edgeOutboxes.edge, edge)
  const marks = await q
    .select({
      edge: edgeOutboxes.edge,
      outbox: edgeOutboxes.outbox,
      through: edgeOutboxes.ackedThrough,
      current: edges.outboxId,
    })
    .from(edgeOutboxes)
    .leftJoin(edges, eq(edges.id, edgeOutboxes.edge))
    .where(ofEdge)
  // One read for every outbox's batches above its mark (not a query per outbox).
  const above = await q
    .select({ edge: batches.edge, outbox: batches.outbox, seq: batches.seq, floor: batches.floor })
    .from(batches)
    .innerJoin(edgeOutboxes, and(eq(edgeOutboxes.edge, batches.edge), eq(edgeOutboxes.outbox, batches.outbox)))
    .where(and(gt(batches.seq, edgeOutboxes.ackedThrough), ofEdge))
    .orderBy(batches.seq)
  const byOutbox = new Map<string, Array<{ seq: number; floor: number }>>()
  for (const b of above) {
    const key = JSON.stringify([b.edge, b.outbox])
    byOutbox.set(key, [...(byOutbox.get(key) ?? []), { seq: b.seq, floor: b.floor }])
  }
  return currentLast(marks).map((m) => ({
    edge: m.edge,
    outbox: m.outbox,
    ackedThrough: m.through,
    current: isCurrentOutbox(m),
    above: byOutbox.get(JSON.stringify([m.edge, m.outbox])) ?? [],
  }))
}

/** Replacements as gap records, newest first (the same filter as the edges' gap records). */
export async function listReplacements(q: Q, filter: GapFilter): Promise<OutboxReplacedGap[]> {
  const where = replacementsWhere(outboxReplacements, { table: points, id: points.id, edge: points.edge }, filter)
  const rows = await q
    .select()
    .from(outboxReplacements)
    .where(where)
    .orderBy(desc(outboxReplacements.seenAt))
    .limit(filter.limit)
  return rows.map(replacementGap)
}
