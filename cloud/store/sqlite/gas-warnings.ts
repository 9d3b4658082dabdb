import { and, desc, eq, gte, inArray, isNull, or, sql } from 'drizzle-orm'
import type { GasAlarmFact } from '../../../shared/rules/gas-warning.ts'
import type { GasWarningRecord } from '../../alarms/gas/model.ts'
import type { Scope } from '../../auth/roles.ts'
import type { GasArea } from '../repos/gas-warnings.ts'
import type { Db } from './db.ts'
import { alarms, areas, gasWarnings, points } from './schema.ts'
import { inScope } from './scope.ts'

type Row = typeof gasWarnings.$inferSelect

const toRecord = (r: Row): GasWarningRecord => ({ ...r, report: r.report ?? null })

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
      if (!row?.id) return null
      return { id: row.id, enterprise: row.enterprise, publicArea: row.kind === 'public' }
    },

    facts(area: string, since: number): GasAlarmFact[] {
      return db
        .select({
          detector: alarms.point,
          level: alarms.kind,
          raisedAt: alarms.raisedAt,
          clearedAt: alarms.recoveredAt,
        })
        .from(alarms)
        .innerJoin(points, eq(points.id, alarms.point))
        .where(
          and(
            eq(points.area, area),
            eq(points.class, 'gas'),
            inArray(alarms.kind, ['H', 'HH']),
            or(isNull(alarms.recoveredAt), gte(alarms.recoveredAt, since)),
          ),
        )
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
      return db.select().from(gasWarnings).where(eq(gasWarnings.state, 'open')).all().map(toRecord)
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
