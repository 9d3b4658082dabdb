import { and, asc, desc, eq, sql } from 'drizzle-orm'
import type { GasAlarmFact } from '../../../shared/rules/gas-warning.ts'
import type { GasWarningRecord } from '../../alarms/gas/model.ts'
import type { Scope } from '../../auth/roles.ts'
import type { GasArea } from '../repos/gas-warnings.ts'
import { gasAreaOfRow, gasFactFields, gasFactsWhere, toGasWarning as toRecord } from '../gas-rows.ts'
import type { Db } from './db.ts'
import { alarms, areas, gasWarnings, points } from './schema.ts'
import { inScope } from './scope.ts'

/** The SQLite side of cloud/store/repos/gas-warnings.ts: loads and saves; the decisions are cloud/alarms/gas's. */
export function createGasWarningOps(db: Db) {
  return {
    areaOf(point: string): GasArea | null {
      const row = db
        .select({ id: points.area, enterprise: points.enterprise, kind: areas.kind })
        .from(points)
        .leftJoin(areas, eq(areas.id, points.area))
        .where(and(eq(points.id, point), eq(points.class, 'gas')))
        .get()
      return gasAreaOfRow(row)
    },

    facts(area: string, since: number): GasAlarmFact[] {
      return db
        .select(gasFactFields(alarms))
        .from(alarms)
        .innerJoin(points, eq(points.id, alarms.point))
        .where(gasFactsWhere(alarms, points, area, since))
        .orderBy(asc(alarms.id))
        .all() as GasAlarmFact[]
    },

    open(area: string): GasWarningRecord | null {
      const row = db
        .select()
        .from(gasWarnings)
        .where(and(eq(gasWarnings.area, area), eq(gasWarnings.state, 'open')))
        .get()
      return row ? toRecord(row) : null
    },

    allOpen(): GasWarningRecord[] {
      return db
        .select()
        .from(gasWarnings)
        .where(eq(gasWarnings.state, 'open'))
        .orderBy(asc(gasWarnings.id))
        .all()
        .map(toRecord)
    },

    insert(w: Omit<GasWarningRecord, 'id'>): GasWarningRecord {
      return toRecord(db.insert(gasWarnings).values(w).returning().get())
    },

    save(w: GasWarningRecord): void {
      const { id, ...rest } = w
      db.update(gasWarnings).set(rest).where(eq(gasWarnings.id, id)).run()
    },

    get(id: number, scope: Scope): GasWarningRecord | null {
      const row = db
        .select()
        .from(gasWarnings)
        .where(and(eq(gasWarnings.id, id), inScope(scope, gasWarnings.enterprise)))
        .get()
      return row ? toRecord(row) : null
    },

    list(filter: { scope: Scope; state?: 'open' | 'cleared'; limit: number }): GasWarningRecord[] {
      return db
        .select()
        .from(gasWarnings)
        .where(
          and(
            inScope(filter.scope, gasWarnings.enterprise),
            filter.state ? eq(gasWarnings.state, filter.state) : sql`1 = 1`,
          ),
        )
        .orderBy(desc(gasWarnings.openedAt), desc(gasWarnings.id))
        .limit(filter.limit)
        .all()
        .map(toRecord)
    },
  }
}
