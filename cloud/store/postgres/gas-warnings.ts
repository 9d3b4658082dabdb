import { and, asc, desc, eq } from 'drizzle-orm'
import type { GasAlarmFact } from '../../../shared/rules/gas-warning.ts'
import type { GasWarningRecord } from '../../alarms/gas/model.ts'
import type { Scope } from '../../auth/roles.ts'
import { gasAreaOfRow, gasFactFields, gasFactsWhere, toGasWarning } from '../gas-rows.ts'
import type { GasArea, GasWarningRepo } from '../repos/gas-warnings.ts'
import { inScope } from '../sql-scope.ts'
import type { PgDb } from './db.ts'
import { claimGasPushes, dueGasPushes, enqueueGasPushes, gasPushesOf, recordGasPush } from './gas-deliveries.ts'
import { alarms, areas, gasWarnings as gw, points } from './schema.ts'
import type { Q } from './tx.ts'

/**
 * Gas-leak warnings on PostgreSQL, as cloud/store/sqlite/gas-warnings.ts: loads and saves; the
 * decisions are cloud/alarms/gas's. A warning and the pushes its step calls for commit together.
 * One open warning per area is the unique index gas_warnings_one_open: a second opening of an
 * area fails whichever process tries it (as on SQLite).
 */

async function gasAreaOf(q: Q, point: string): Promise<GasArea | null> {
  const [row] = await q
    .select({ id: points.area, enterprise: points.enterprise, kind: areas.kind })
    .from(points)
    .leftJoin(areas, eq(areas.id, points.area))
    .where(and(eq(points.id, point), eq(points.class, 'gas')))
  return gasAreaOfRow(row)
}

/** H/HH alarms of the area's gas points active at or after `since`, oldest alarm first. */
async function gasAlarmFacts(q: Q, area: string, since: number): Promise<GasAlarmFact[]> {
  const rows = await q
    .select(gasFactFields(alarms))
    .from(alarms)
    .innerJoin(points, eq(points.id, alarms.point))
    .where(gasFactsWhere(alarms, points, area, since))
    .orderBy(asc(alarms.id))
  return rows as GasAlarmFact[]
}

const getGasWarning = async (q: Q, id: number, scope: Scope) => {
  const [row] = await q
    .select()
    .from(gw)
    .where(and(eq(gw.id, id), inScope(scope, gw.enterprise)))
  return row ? toGasWarning(row) : null
}

const openOnes = (q: Q, area?: string) =>
  q
    .select()
    .from(gw)
    .where(and(eq(gw.state, 'open'), area === undefined ? undefined : eq(gw.area, area)))
    .orderBy(asc(gw.id))

export function pgGasWarningOps(db: PgDb): GasWarningRepo {
  return {
    gasAreaOf: (point) => gasAreaOf(db, point),
    gasAlarmFacts: (area, since) => gasAlarmFacts(db, area, since),
    openGasWarning: async (area) => {
      const [row] = await openOnes(db, area)
      return row ? toGasWarning(row) : null
    },
    openGasWarnings: async () => (await openOnes(db)).map(toGasWarning),
    insertGasWarning: (warning, pushes = []) =>
      db.transaction(async (tx) => {
        const [row] = await tx.insert(gw).values(warning).returning()
        const w: GasWarningRecord = toGasWarning(row!)
        await enqueueGasPushes(tx, w.id, pushes)
        return w
      }),
    saveGasWarning: (warning, pushes = []) =>
      db.transaction(async (tx) => {
        const { id, ...rest } = warning
        await tx.update(gw).set(rest).where(eq(gw.id, id))
        await enqueueGasPushes(tx, id, pushes)
      }),
    dueGasPushes: (now, limit) => dueGasPushes(db, now, limit),
    claimGasPushes: (now, limit, leaseMs) => claimGasPushes(db, now, limit, leaseMs),
    recordGasPush: (id, outcome) => recordGasPush(db, id, outcome),
    gasWarningDeliveries: async (id, scope) => ((await getGasWarning(db, id, scope)) ? gasPushesOf(db, id) : null),
    getGasWarning: (id, scope) => getGasWarning(db, id, scope),
    listGasWarnings: async (filter) =>
      (
        await db
          .select()
          .from(gw)
          .where(and(inScope(filter.scope, gw.enterprise), filter.state ? eq(gw.state, filter.state) : undefined))
          .orderBy(desc(gw.openedAt), desc(gw.id))
          .limit(filter.limit)
      ).map(toGasWarning),
  }
}
