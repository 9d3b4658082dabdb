import { and, desc, eq, gt, max } from 'drizzle-orm'
import type { EdgeAckState } from '../../ingest/ack-tracker.ts'
import { replacementGap as toGap, replacementsWhere } from '../gap-rows.ts'
import { currentLast, isCurrentOutbox, LEGACY_OUTBOX } from '../outbox-rows.ts'
import type { GapFilter, OutboxReplacedGap } from '../store.ts'
import type { Db } from './db.ts'
import { batches, edgeOutboxes, edges, outboxReplacements, points, replayState } from './schema.ts'

export { LEGACY_OUTBOX }

/** What the cloud learnt from the outbox id a batch named (see note()). */
export type OutboxSeen =
  | { kind: 'current' }
  /** The edge's first named outbox: it takes over the batches stored before outbox ids (`adopted`). */
  | { kind: 'first'; adopted: number }
  /** A new outbox replaced the edge's current one: a gap of unknown size. */
  | { kind: 'replaced'; replacement: OutboxReplacedGap }
  /** An outbox the edge named before (e.g. a backlog restored from a backup): stored under its own id. */
  | { kind: 'earlier'; previous: string }

/**
 * The outboxes of each edge (shared/wire/messages.ts OutboxId): which is current, the ack mark
 * of each, and the replacements (an edge that came with a new outbox) listed with the gaps.
 */
export function createOutboxOps(db: Db) {
  const setCurrent = (edge: string, outbox: string) =>
    db.update(edges).set({ outboxId: outbox }).where(eq(edges.id, edge)).run()
  // Once per batch: prepared, not built by the query builder each time.
  const currentOf = db.$client.prepare<[string], { outbox: string | null }>(
    'SELECT outbox_id AS outbox FROM edges WHERE id = ?',
  )
  const updateMark = db.$client.prepare<[number, string, string]>(
    'UPDATE edge_outboxes SET acked_through = max(acked_through, ?) WHERE edge = ? AND outbox = ?',
  )

  /** The edge's first named outbox takes over its legacy rows: the same file, only named now. */
  function adoptLegacy(edge: string, outbox: string): number {
    const legacy = db
      .select({ through: edgeOutboxes.ackedThrough })
      .from(edgeOutboxes)
      .where(and(eq(edgeOutboxes.edge, edge), eq(edgeOutboxes.outbox, LEGACY_OUTBOX)))
      .get()
    if (legacy) {
      db.update(edgeOutboxes)
        .set({ ackedThrough: legacy.through })
        .where(and(eq(edgeOutboxes.edge, edge), eq(edgeOutboxes.outbox, outbox)))
        .run()
      db.delete(edgeOutboxes)
        .where(and(eq(edgeOutboxes.edge, edge), eq(edgeOutboxes.outbox, LEGACY_OUTBOX)))
        .run()
    }
    db.update(replayState)
      .set({ outbox })
      .where(and(eq(replayState.edge, edge), eq(replayState.outbox, LEGACY_OUTBOX)))
      .run()
    return db
      .update(batches)
      .set({ outbox })
      .where(and(eq(batches.edge, edge), eq(batches.outbox, LEGACY_OUTBOX)))
      .run().changes
  }

  function recordReplacement(edge: string, oldOutbox: string, newOutbox: string, seenAt: number): OutboxReplacedGap {
    const last = db
      .select({ seq: max(batches.seq), ts: max(batches.maxTs) })
      .from(batches)
      .where(and(eq(batches.edge, edge), eq(batches.outbox, oldOutbox)))
      .get()
    const row = { edge, newOutbox, oldOutbox, lastSeq: last?.seq ?? null, lastTs: last?.ts ?? null, seenAt }
    db.insert(outboxReplacements).values(row).onConflictDoNothing().run()
    return toGap(row)
  }

  return {
    /**
     * A batch of the edge named `outbox` (inside the batch transaction, before the batch row is
     * written). The outbox of the newest batch becomes the edge's current one.
     */
    note(edge: string, outbox: string, seenAt: number): OutboxSeen {
      const current = currentOf.get(edge)?.outbox ?? null
      if (current === outbox) return { kind: 'current' }
      setCurrent(edge, outbox)
      const known = db
        .select({ firstSeen: edgeOutboxes.firstSeen })
        .from(edgeOutboxes)
        .where(and(eq(edgeOutboxes.edge, edge), eq(edgeOutboxes.outbox, outbox)))
        .get()
      if (known && current !== null) return { kind: 'earlier', previous: current }
      if (!known) db.insert(edgeOutboxes).values({ edge, outbox, firstSeen: seenAt, ackedThrough: 0 }).run()
      if (current === null) return { kind: 'first', adopted: adoptLegacy(edge, outbox) }
      return { kind: 'replaced', replacement: recordReplacement(edge, current, outbox, seenAt) }
    },

    /** Persists the contiguous-ack mark of an outbox note() has seen (never lowers it). */
    setMark(edge: string, outbox: string, through: number): void {
      updateMark.run(through, edge, outbox)
    },

    /** Every outbox's mark and the batches stored above it, the edge's current outbox last (the tracker's `latest`). */
    ackStates(edge?: string): EdgeAckState[] {
      const marks = db
        .select({
          edge: edgeOutboxes.edge,
          outbox: edgeOutboxes.outbox,
          through: edgeOutboxes.ackedThrough,
          current: edges.outboxId,
        })
        .from(edgeOutboxes)
        .leftJoin(edges, eq(edges.id, edgeOutboxes.edge))
        .where(edge === undefined ? undefined : eq(edgeOutboxes.edge, edge))
        .all()
      return currentLast(marks).map((m) => ({
        edge: m.edge,
        outbox: m.outbox,
        ackedThrough: m.through,
        current: isCurrentOutbox(m),
        above: db
          .select({ seq: batches.seq, floor: batches.floor })
          .from(batches)
          .where(and(eq(batches.edge, m.edge), eq(batches.outbox, m.outbox), gt(batches.seq, m.through)))
          .orderBy(batches.seq)
          .all(),
      }))
    },

    /** Replacements as gap records, newest first (the same filter as the edges' gap records). */
    replacements(filter: GapFilter): OutboxReplacedGap[] {
      const where = replacementsWhere(outboxReplacements, { table: points, id: points.id, edge: points.edge }, filter)
      return db
        .select()
        .from(outboxReplacements)
        .where(where)
        .orderBy(desc(outboxReplacements.seenAt))
        .limit(filter.limit)
        .all()
        .map(toGap)
    },
  }
}
