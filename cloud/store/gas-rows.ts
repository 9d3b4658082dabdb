import { and, type Column, eq, gte, inArray, isNull, or } from 'drizzle-orm'
import type { InvestigationReport } from '../../shared/rules/gas-warning.ts'
import type { GasWarningRecord } from '../alarms/gas/model.ts'
import type { GasArea } from './repos/gas-warnings.ts'

/**
 * The gas-leak warnings' rows as both engines read and write them (cloud/store/sqlite,
 * cloud/store/postgres): the same columns, so the records and ledgers the API shows cannot differ.
 */

/** A stored warning (a nullable JSON column reads as undefined on one driver, null on the other). */
export const toGasWarning = <R extends Omit<GasWarningRecord, 'report'> & { report?: InvestigationReport | null }>(
  r: R,
): GasWarningRecord => ({ ...r, report: r.report ?? null })

/** A gas point's area from its point row joined with the area (null: no area). */
export const gasAreaOfRow = (row: { id: string | null; enterprise: string | null; kind: string | null } | undefined) =>
  row?.id ? ({ id: row.id, enterprise: row.enterprise, publicArea: row.kind === 'public' } satisfies GasArea) : null

/** The alarm columns a gas fact is read from, as both schemas name them. */
export const gasFactFields = <P extends Column, K extends Column, R extends Column, C extends Column>(a: {
  point: P
  kind: K
  raisedAt: R
  recoveredAt: C
}) => ({ detector: a.point, level: a.kind, raisedAt: a.raisedAt, clearedAt: a.recoveredAt })

/** The area's gas points' H/HH alarms still active, or recovered at or after `since` (alarms joined with points). */
export const gasFactsWhere = (
  a: { kind: Column; recoveredAt: Column },
  p: { area: Column; class: Column },
  area: string,
  since: number,
) =>
  and(
    eq(p.area, area),
    eq(p.class, 'gas'),
    inArray(a.kind, ['H', 'HH']),
    or(isNull(a.recoveredAt), gte(a.recoveredAt, since)),
  )
