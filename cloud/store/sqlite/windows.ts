import { and, desc, eq, gt, inArray, lte, sql } from 'drizzle-orm'
import type { MaintenanceWindow, WindowDecision, WindowOutcome, WindowRequest } from '../store.ts'
import type { Db } from './db.ts'
import { alarmSuppressions, maintenanceWindows, points } from './schema.ts'
import { inScope } from './scope.ts'
import { decideWindowRow, noWindow, pointsRefusal, requestedRow, requestRefusal, wantedPoints } from '../window-rows.ts'
import type { Scope } from '../store.ts'
import { type WindowsByPoint, windowsByPointOf } from '../ingest-notes.ts'

/** Maintenance windows: request, decision, listing, and what the engine needs while ingesting. */
export function createWindowOps(db: Db) {
  const view = (row: typeof maintenanceWindows.$inferSelect): MaintenanceWindow => {
    const suppressed =
      db.select({ n: sql<number>`count(*)` }).from(alarmSuppressions).where(eq(alarmSuppressions.window, row.id)).get()
        ?.n ?? 0
    return { ...row, suppressed }
  }
  const get = (id: number, scope: Scope) => {
    const row = db
      .select()
      .from(maintenanceWindows)
      .where(and(eq(maintenanceWindows.id, id), inScope(scope, maintenanceWindows.enterprise)))
      .get()
    return row ? view(row) : null
  }

  return {
    get,

    list(filter: { scope: Scope; status?: MaintenanceWindow['status']; enterprise?: string }): MaintenanceWindow[] {
      const scoped = inScope(filter.scope, maintenanceWindows.enterprise)
      const conditions = [
        ...(scoped ? [scoped] : []),
        ...(filter.status ? [eq(maintenanceWindows.status, filter.status)] : []),
        ...(filter.enterprise ? [eq(maintenanceWindows.enterprise, filter.enterprise)] : []),
      ]
      return db
        .select()
        .from(maintenanceWindows)
        .where(and(...conditions))
        .orderBy(desc(maintenanceWindows.id))
        .all()
        .map(view)
    },

    request(r: WindowRequest, now: number, scope: Scope): WindowOutcome {
      const refused = requestRefusal(r, now, scope)
      if (refused) return refused
      const fromDevices = r.devices?.length
        ? db
            .select({ id: points.id })
            .from(points)
            .where(and(inArray(points.device, r.devices), eq(points.enterprise, r.enterprise)))
            .all()
            .map((p) => p.id)
        : []
      const wanted = wantedPoints(r, fromDevices)
      const known =
        wanted.length === 0
          ? []
          : db
              .select({ id: points.id, enterprise: points.enterprise })
              .from(points)
              .where(inArray(points.id, wanted))
              .all()
      const badPoints = pointsRefusal(r, wanted, known)
      if (badPoints) return badPoints
      const row = db
        .insert(maintenanceWindows)
        .values(requestedRow(r, wanted, now))
        .returning()
        .get()
      return { ok: true, window: view(row) }
    },

    decide(id: number, d: WindowDecision, now: number, scope: Scope): WindowOutcome {
      return db.transaction(
        (tx): WindowOutcome => {
          const current = get(id, scope)
          if (!current) return noWindow(id)
          const decided = decideWindowRow(current, d, now)
          if (!decided.ok) return decided
          tx.update(maintenanceWindows).set(decided.set).where(eq(maintenanceWindows.id, id)).run()
          return { ok: true, window: get(id, scope)! }
        },
        { behavior: 'immediate' },
      )
    },
  }
}

/** Approved windows overlapping [from, to], by point: for the engine inside the batch transaction. */
export function windowsByPoint(db: Db, from: number, to: number): WindowsByPoint {
  const rows = db
    .select({
      id: maintenanceWindows.id,
      points: maintenanceWindows.points,
      from: maintenanceWindows.from,
      to: maintenanceWindows.to,
    })
    .from(maintenanceWindows)
    .where(
      and(eq(maintenanceWindows.status, 'approved'), gt(maintenanceWindows.to, from), lte(maintenanceWindows.from, to)),
    )
    .all()
  return windowsByPointOf(rows)
}
