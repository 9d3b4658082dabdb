import { and, desc, eq, gt, inArray, lte, sql } from 'drizzle-orm'
import type { MaintenanceWindow, WindowDecision, WindowOutcome, WindowRequest } from '../store.ts'
import type { Db } from './db.ts'
import { alarmSuppressions, maintenanceWindows, points } from './schema.ts'
import { inScope } from './scope.ts'
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
      if (scope !== 'all' && scope.enterprise !== r.enterprise)
        return { ok: false, code: 'NOT_FOUND', message: `no enterprise ${r.enterprise}` }
      if (!(r.to > r.from)) return { ok: false, code: 'BAD_REQUEST', message: 'the window must end after it starts' }
      if (r.to <= now) return { ok: false, code: 'BAD_REQUEST', message: 'the window has already ended' }
      // Devices are resolved to their points now: the approval covers what was asked for.
      const fromDevices = r.devices?.length
        ? db
            .select({ id: points.id })
            .from(points)
            .where(and(inArray(points.device, r.devices), eq(points.enterprise, r.enterprise)))
            .all()
            .map((p) => p.id)
        : []
      const wanted = [...new Set([...(r.points ?? []), ...fromDevices])]
      const known =
        wanted.length === 0
          ? []
          : db
              .select({ id: points.id, enterprise: points.enterprise })
              .from(points)
              .where(inArray(points.id, wanted))
              .all()
      const foreign = wanted.filter((p) => known.find((k) => k.id === p)?.enterprise !== r.enterprise)
      if (wanted.length === 0)
        return {
          ok: false,
          code: 'BAD_REQUEST',
          message: 'the window covers no points: name points, or devices that have points of this enterprise',
        }
      if (foreign.length > 0)
        return {
          ok: false,
          code: 'BAD_REQUEST',
          message: `not points of enterprise ${r.enterprise}: ${foreign.slice(0, 10).join(', ')}`,
        }
      const row = db
        .insert(maintenanceWindows)
        .values({
          enterprise: r.enterprise,
          points: wanted,
          from: r.from,
          to: r.to,
          reason: r.reason,
          requestedBy: r.by,
          requestedAt: now,
          status: 'requested',
        })
        .returning()
        .get()
      return { ok: true, window: view(row) }
    },

    decide(id: number, d: WindowDecision, now: number, scope: Scope): WindowOutcome {
      return db.transaction(
        (tx): WindowOutcome => {
          const current = get(id, scope)
          if (!current) return { ok: false, code: 'NOT_FOUND', message: `no maintenance window ${id}` }
          const allowed = d.decision === 'cancel' ? ['requested', 'approved'] : ['requested']
          if (!allowed.includes(current.status))
            return {
              ok: false,
              code: 'STATE_CONFLICT',
              message: `the window is ${current.status}: it cannot be ${d.decision === 'approve' ? 'approved' : d.decision === 'reject' ? 'rejected' : 'cancelled'}`,
              window: current,
            }
          if (d.decision === 'approve' && current.to <= now)
            return { ok: false, code: 'STATE_CONFLICT', message: 'the window has already ended', window: current }
          const status = d.decision === 'approve' ? 'approved' : d.decision === 'reject' ? 'rejected' : 'cancelled'
          // A cancelled approved window ends now (it may have covered the past).
          const to =
            d.decision === 'cancel' && current.status === 'approved'
              ? Math.max(current.from, Math.min(current.to, now))
              : current.to
          tx.update(maintenanceWindows)
            .set({ status, to, decidedBy: d.by, decidedAt: now, decisionNote: d.note ?? null })
            .where(eq(maintenanceWindows.id, id))
            .run()
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
