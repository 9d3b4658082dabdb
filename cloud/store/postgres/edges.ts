import { and, asc, eq, inArray, sql } from 'drizzle-orm'
import type { StatusBirth, StatusDeath, StatusState } from '../../../shared/wire/messages.ts'
import {
  adoptBirthLimits,
  birthCameraUpsert,
  birthCameras,
  birthEdgeRow,
  birthEdgeUpdate,
  birthPointChunks,
  birthPointUpsert,
  heartbeatEdgeRow,
  heartbeatEdgeUpdate,
  toEdgeRecord,
} from '../edge-rows.ts'
import type { BirthOutcome, EdgeRecord } from '../repos/edges.ts'
import type { PgDb } from './db.ts'
import { cameras, edgeOutboxes, edges, points } from './schema.ts'
import { byteOrder, lock, LOCKS, locked, type PgTx } from './tx.ts'

/**
 * Edges' presence from their status messages on PostgreSQL, as cloud/store/sqlite/status.ts.
 * Each message's read-then-write runs under the edges' lock (a state and a death of one edge
 * must not both decide on the session they read); a birth also writes points, so it takes the
 * registry's lock first (a registry edit must not interleave with its limit adoption).
 */

/** last_seen never moves backwards (a retained replay carries an old time); greatest() skips a null. */
const laterSeen = sql`greatest(${edges.lastSeen}, excluded.last_seen)`

async function storedEdge(tx: PgTx, id: string) {
  const [row] = await tx.select({ session: edges.session, online: edges.online }).from(edges).where(eq(edges.id, id))
  return row
}

async function upsertBirthEdge(tx: PgTx, site: string, birth: StatusBirth, seenAt: number) {
  await tx
    .insert(edges)
    .values(birthEdgeRow(site, birth, seenAt))
    .onConflictDoUpdate({ target: edges.id, set: birthEdgeUpdate(site, birth, laterSeen, edges) })
}

async function upsertBirthPoints(tx: PgTx, birth: StatusBirth) {
  for (const rows of birthPointChunks(birth))
    await tx.insert(points).values(rows).onConflictDoUpdate(birthPointUpsert(points))
}

async function upsertBirthCameras(tx: PgTx, site: string, birth: StatusBirth) {
  for (const { id, entry } of birthCameras(site, birth))
    await tx
      .insert(cameras)
      .values({ id, ...entry })
      .onConflictDoUpdate(birthCameraUpsert(cameras, birth.edge, entry))
}

/** The edge's `limitsFromSource` points adopt what the source announces now (cloud/alarms/source-limits.ts). */
async function adoptLimits(tx: PgTx, birth: StatusBirth): Promise<BirthOutcome> {
  const outcome: BirthOutcome = { limitsAdopted: [], limitsRefused: [] }
  for (const chunk of birthPointChunks(birth)) {
    const ids = chunk.map((p) => p.id)
    const fromSource = await tx
      .select({ id: points.id, limits: points.limits, sourceLimits: points.sourceLimits })
      .from(points)
      .where(and(inArray(points.id, ids), eq(points.limitsFromSource, true), eq(points.edge, birth.edge)))
    adoptBirthLimits(fromSource, outcome)
  }
  for (const a of outcome.limitsAdopted) await tx.update(points).set({ limits: a.to }).where(eq(points.id, a.point))
  return outcome
}

export function pgEdgeOps(db: PgDb) {
  return {
    /** birth: edge online with this session; points and cameras announced (registry fields untouched). */
    recordBirth: (site: string, birth: StatusBirth, seenAt: number): Promise<BirthOutcome> =>
      db.transaction(async (tx) => {
        await lock(tx, LOCKS.registry)
        await lock(tx, LOCKS.edges)
        await upsertBirthEdge(tx, site, birth, seenAt)
        await upsertBirthPoints(tx, birth)
        await upsertBirthCameras(tx, site, birth)
        return adoptLimits(tx, birth)
      }),

    recordState: (site: string, state: StatusState, seenAt: number) =>
      locked(db, LOCKS.edges, async (tx) => {
        const stored = await storedEdge(tx, state.edge)
        // A heartbeat of a session already declared dead is a straggler: it must not revive it.
        if (stored && stored.session === state.session && !stored.online) return { adopted: false, ignored: true }
        await tx
          .insert(edges)
          .values(heartbeatEdgeRow(site, state, seenAt))
          .onConflictDoUpdate({ target: edges.id, set: heartbeatEdgeUpdate(site, state, laterSeen) })
        return { adopted: stored?.session !== state.session, ignored: false }
      }),

    /** death: offline only when it names the stored session. */
    recordDeath: (death: StatusDeath, seenAt: number | null) =>
      locked(db, LOCKS.edges, async (tx) => {
        const stored = await storedEdge(tx, death.edge)
        if (!stored || stored.session !== death.session)
          return { applied: false, storedSession: stored?.session ?? null }
        await tx
          .update(edges)
          .set({
            online: false,
            ...(seenAt === null ? {} : { lastSeen: sql`greatest(${edges.lastSeen}, ${seenAt}::bigint)` }),
          })
          .where(eq(edges.id, death.edge))
        return { applied: true, storedSession: stored.session }
      }),

    /** The edge's clock offset as estimated from its fresh status messages (cloud/ingest/clock-offset.ts). */
    recordClockOffset: async (edge: string, offsetMs: number, at: number): Promise<void> => {
      await db.update(edges).set({ clockOffsetMs: offsetMs, clockCheckedAt: at }).where(eq(edges.id, edge))
    },

    /** Every edge by id (byte order, as SQLite's), with its current outbox's mark. */
    listEdges: async (): Promise<EdgeRecord[]> => {
      const rows = await db
        .select({ e: edges, mark: edgeOutboxes.ackedThrough })
        .from(edges)
        .leftJoin(edgeOutboxes, and(eq(edgeOutboxes.edge, edges.id), eq(edgeOutboxes.outbox, edges.outboxId)))
        .orderBy(asc(byteOrder(edges.id)))
      return rows.map(({ e, mark }) => toEdgeRecord(e, mark))
    },
  }
}
