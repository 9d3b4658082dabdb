import { and, desc, eq, getTableColumns, inArray, sql } from 'drizzle-orm'
import type { Scope } from '../../auth/roles.ts'
import type { MaintenanceWindow, WindowRepo } from '../repos/windows.ts'
import { inScope } from '../sql-scope.ts'
import { decideWindowRow, noWindow, pointsRefusal, requestedRow, requestRefusal, wantedPoints } from '../window-rows.ts'
import type { PgDb } from './db.ts'
import { alarmSuppressions, maintenanceWindows as mw, points } from './schema.ts'
import { locked, LOCKS, type Q } from './tx.ts'

/**
 * Maintenance windows on PostgreSQL, as cloud/store/sqlite/windows.ts (the rules: ../window-rows.ts).
 * What the ingest reads of them (approved windows by point) is the ingest's. A decision reads the
 * window FOR UPDATE: two people deciding at once take turns, and the second decides on the
 * committed state (READ COMMITTED re-reads a locked row once its lock is released).
 */

/**
 * Raises the engine did not make because of the window (SQLite counts them per row too). The
 * window's id is named with its table: drizzle writes a column of a one-table select unqualified,
 * and inside this subquery a bare "id" would be the suppression's own.
 */
const suppressed =
  sql<number>`(select count(*) from ${alarmSuppressions} where ${alarmSuppressions.window} = ${sql.identifier('maintenance_windows')}.${sql.identifier('id')})`.mapWith(
    Number,
  )
const selectWindows = (q: Q) => q.select({ ...getTableColumns(mw), suppressed }).from(mw)

async function getWindow(q: Q, id: number, scope: Scope, forUpdate = false): Promise<MaintenanceWindow | null> {
  const query = selectWindows(q).where(and(eq(mw.id, id), inScope(scope, mw.enterprise)))
  const [row] = forUpdate ? await query.for('update', { of: mw }) : await query
  return row ?? null
}

/** The ids of the devices' points of the enterprise. */
async function devicePoints(q: Q, enterprise: string, devices: string[] | undefined): Promise<string[]> {
  if (!devices?.length) return []
  const rows = await q
    .select({ id: points.id })
    .from(points)
    .where(and(inArray(points.device, devices), eq(points.enterprise, enterprise)))
  return rows.map((p) => p.id)
}

/** Who owns each wanted point (a point the registry lacks is not returned). */
const owners = (q: Q, ids: string[]) =>
  ids.length === 0
    ? Promise.resolve([])
    : q.select({ id: points.id, enterprise: points.enterprise }).from(points).where(inArray(points.id, ids))

export function pgWindowOps(db: PgDb): WindowRepo {
  return {
    getWindow: (id, scope) => getWindow(db, id, scope),

    listWindows: async (filter) =>
      selectWindows(db)
        .where(
          and(
            inScope(filter.scope, mw.enterprise),
            filter.status ? eq(mw.status, filter.status) : undefined,
            filter.enterprise ? eq(mw.enterprise, filter.enterprise) : undefined,
          ),
        )
        .orderBy(desc(mw.id)),

    // The registry's lock: the points are checked against the registry as of the insert (an edit
    // moving a point to another enterprise goes wholly before or after).
    requestWindow: async (r, now, scope) => {
      const refused = requestRefusal(r, now, scope)
      if (refused) return refused
      return locked(db, LOCKS.registry, async (tx) => {
        const wanted = wantedPoints(r, await devicePoints(tx, r.enterprise, r.devices))
        const badPoints = pointsRefusal(r, wanted, await owners(tx, wanted))
        if (badPoints) return badPoints
        const [row] = await tx
          .insert(mw)
          .values(requestedRow(r, wanted, now))
          .returning()
        return { ok: true, window: { ...row!, suppressed: 0 } }
      })
    },

    decideWindow: (id, d, now, scope) =>
      db.transaction(async (tx) => {
        const current = await getWindow(tx, id, scope, true)
        if (!current) return noWindow(id)
        const decided = decideWindowRow(current, d, now)
        if (!decided.ok) return decided
        await tx.update(mw).set(decided.set).where(eq(mw.id, id))
        return { ok: true, window: { ...current, ...decided.set } }
      }),
  }
}
