import { and, eq, inArray, sql } from 'drizzle-orm'
import {
  adoptBirthLimits,
  birthEdgeRow,
  birthEdgeUpdate,
  birthPointChunks,
  birthPointUpsert,
  heartbeatEdgeRow,
  heartbeatEdgeUpdate,
} from '../edge-rows.ts'
import type { BirthOutcome } from '../store.ts'
import type { StatusBirth, StatusDeath, StatusState } from '../../../shared/wire/messages.ts'
import type { Db } from './db.ts'
import { edges, points } from './schema.ts'
import { upsertCameras } from './cameras.ts'

/** last_seen never moves backwards (a retained replay carries an old time). */
const laterSeen = sql`max(coalesce(${edges.lastSeen}, excluded.last_seen), excluded.last_seen)`

/** Edge lifecycle from status messages (the ack marks are per outbox: outboxes.ts). */
export function createStatusOps(db: Db) {
  function storedEdge(id: string) {
    return db.select({ session: edges.session, online: edges.online }).from(edges).where(eq(edges.id, id)).get()
  }

  return {
    recordBirth(site: string, birth: StatusBirth, seenAt: number): BirthOutcome {
      return db.transaction(
        (tx) => {
          tx.insert(edges)
            .values(birthEdgeRow(site, birth, seenAt))
            .onConflictDoUpdate({ target: edges.id, set: birthEdgeUpdate(site, birth, laterSeen, edges) })
            .run()
          for (const rows of birthPointChunks(birth))
            tx.insert(points).values(rows).onConflictDoUpdate(birthPointUpsert(points)).run()
          upsertCameras(tx, site, birth)
          const outcome: BirthOutcome = { limitsAdopted: [], limitsRefused: [] }
          for (const chunk of birthPointChunks(birth)) {
            const ids = chunk.map((p) => p.id)
            const fromSource = tx
              .select({ id: points.id, limits: points.limits, sourceLimits: points.sourceLimits })
              .from(points)
              .where(and(inArray(points.id, ids), eq(points.limitsFromSource, true), eq(points.edge, birth.edge)))
              .all()
            adoptBirthLimits(fromSource, outcome)
          }
          for (const a of outcome.limitsAdopted)
            tx.update(points).set({ limits: a.to }).where(eq(points.id, a.point)).run()
          return outcome
        },
        { behavior: 'immediate' },
      )
    },

    recordState(site: string, state: StatusState, seenAt: number): { adopted: boolean; ignored: boolean } {
      return db.transaction(
        (tx) => {
          const stored = storedEdge(state.edge)
          // A heartbeat of a session already declared dead is a straggler: it must not revive it.
          if (stored && stored.session === state.session && !stored.online) return { adopted: false, ignored: true }
          tx.insert(edges)
            .values(heartbeatEdgeRow(site, state, seenAt))
            .onConflictDoUpdate({ target: edges.id, set: heartbeatEdgeUpdate(site, state, laterSeen) })
            .run()
          return { adopted: stored?.session !== state.session, ignored: false }
        },
        { behavior: 'immediate' },
      )
    },

    /** The edge's clock offset as estimated from its fresh status messages (cloud/ingest/clock-offset.ts). */
    recordClockOffset(edge: string, offsetMs: number, at: number): void {
      db.update(edges).set({ clockOffsetMs: offsetMs, clockCheckedAt: at }).where(eq(edges.id, edge)).run()
    },

    recordDeath(death: StatusDeath, seenAt: number | null): { applied: boolean; storedSession: string | null } {
      return db.transaction(
        (tx) => {
          const stored = storedEdge(death.edge)
          if (!stored || stored.session !== death.session)
            return { applied: false, storedSession: stored?.session ?? null }
          tx.update(edges)
            .set({
              online: false,
              ...(seenAt === null ? {} : { lastSeen: sql`max(coalesce(${edges.lastSeen}, ${seenAt}), ${seenAt})` }),
            })
            .where(eq(edges.id, death.edge))
            .run()
          return { applied: true, storedSession: stored.session }
        },
        { behavior: 'immediate' },
      )
    },
  }
}
