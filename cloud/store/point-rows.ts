import { and, type Column, eq, type SQL } from 'drizzle-orm'
import type { PointClass } from '../../shared/rules/priority.ts'
import type { ThresholdLimits } from '../../shared/rules/threshold.ts'
import type { PointRange, SourceLimits } from '../../shared/wire/messages.ts'
import type { PointFilter, PointRecord } from './repos/telemetry.ts'
import { inScope } from './sql-scope.ts'
import { toStoredSample } from './sample-values.ts'

/** The columns of a `points` row a PointRecord is made of (both engines' schema.ts). */
export interface PointRow {
  id: string
  name: string | null
  unit: string | null
  device: string | null
  enterprise: string | null
  class: string | null
  hazardSource: string | null
  area: string | null
  edge: string | null
  limits: ThresholdLimits | null
  limitsFromSource: boolean
  range: PointRange | null
  sourceLimits: SourceLimits | null
  registered: boolean
  latestTs: number | null
  latestValue: number | null
  latestText: string | null
  latestQuality: string | null
  latestReason: string | null
}

/**
 * Only the columns a PointRecord is made of, for `db.select(pointColumns(points))`: `points`
 * has 31 columns (registry, exchange, rules) and GET /points reads every row, so a
 * `select()` of all of them cost most of the route's time on both engines (issue 15:
 * 10 000 points, the drivers build and the ORM maps every cell).
 */
export function pointColumns<T extends Record<keyof PointRow, Column>>(c: T): Pick<T, keyof PointRow> {
  return {
    id: c.id,
    name: c.name,
    unit: c.unit,
    device: c.device,
    enterprise: c.enterprise,
    class: c.class,
    hazardSource: c.hazardSource,
    area: c.area,
    edge: c.edge,
    limits: c.limits,
    limitsFromSource: c.limitsFromSource,
    range: c.range,
    sourceLimits: c.sourceLimits,
    registered: c.registered,
    latestTs: c.latestTs,
    latestValue: c.latestValue,
    latestText: c.latestText,
    latestQuality: c.latestQuality,
    latestReason: c.latestReason,
  }
}

/**
 * Rows of a `pointColumns` select read as arrays (the driver's values in pointColumns' order),
 * each cell decoded by its column's own driver mapping (JSON text, 0/1 booleans, bigint ms), as
 * the ORM's row mapping does but without its per-cell type checks and path walks, which cost
 * about as much as the read itself over 10 000 points (issue 15).
 */
export function pointRecordsOf(
  c: Record<keyof PointRow, Column>,
  rows: readonly (readonly unknown[])[],
): PointRecord[] {
  const columns = Object.entries(pointColumns(c))
  return rows.map((values) => {
    const row: Record<string, unknown> = {}
    for (let i = 0; i < columns.length; i++) {
      const [key, column] = columns[i]!
      const v = values[i]
      row[key] = v === null || v === undefined ? null : column.mapFromDriverValue(v)
    }
    return toPointRecord(row as unknown as PointRow)
  })
}

/** A `points` row as the API's PointRecord, engine-neutral (cloud/store/sqlite/queries.ts, cloud/store/postgres/queries.ts). */
export function toPointRecord(row: PointRow): PointRecord {
  const latest =
    row.latestTs === null || row.latestQuality === null
      ? null
      : toStoredSample({
          ts: row.latestTs,
          value: row.latestValue,
          text: row.latestText,
          quality: row.latestQuality,
          reason: row.latestReason,
        })
  return {
    id: row.id,
    name: row.name,
    unit: row.unit,
    device: row.device,
    enterprise: row.enterprise,
    class: row.class as PointClass | null,
    hazardSource: row.hazardSource ?? null,
    area: row.area ?? null,
    edge: row.edge,
    limits: row.limits ?? null,
    limitsFrom: row.limitsFromSource ? 'source' : 'registry',
    range: row.range ?? null,
    sourceLimits: row.sourceLimits ?? null,
    registered: row.registered,
    latest,
  }
}

/** The condition of a PointFilter on either engine's `points` columns (scope in the query, brief §7). */
export function pointFilterWhere(
  filter: PointFilter,
  c: { enterprise: Column; hazardSource: Column; area: Column; class: Column },
): SQL | undefined {
  return and(
    inScope(filter.scope, c.enterprise),
    filter.enterprise === undefined ? undefined : eq(c.enterprise, filter.enterprise),
    filter.hazardSource === undefined ? undefined : eq(c.hazardSource, filter.hazardSource),
    filter.area === undefined ? undefined : eq(c.area, filter.area),
    filter.class === undefined ? undefined : eq(c.class, filter.class),
  )
}
