import { sql } from 'drizzle-orm'
import type { Sample } from '../../../shared/wire/sample.ts'
import { ROLLUP_WIDTHS } from '../historian/rollup.ts'
import { rollupRows } from '../rollup-rows.ts'
import { jsonRows } from './json-rows.ts'
import type { Q } from './tx.ts'

/**
 * Merges a batch into one rollup table with one upsert (as sqlite/rollups.ts; rows as one
 * parameter: json-rows.ts): late and out-of-order samples merge, sums add up, min/max widen
 * (least/greatest skip NULLs: a bucket with no numeric sample keeps the other side's), last is
 * the newest by time.
 */
async function merge(q: Q, name: string, samples: readonly Sample[], width: number): Promise<void> {
  const t = sql.identifier(name)
  const newer = sql.raw(
    `excluded.last_ts IS NOT NULL AND (${name}.last_ts IS NULL OR excluded.last_ts >= ${name}.last_ts)`,
  )
  const rows = jsonRows(rollupRows(samples, width), COLUMNS)
  await q.execute(sql`
    INSERT INTO ${t} AS ${t} (point, start, count, min, max, sum, last, last_ts, not_good)
    SELECT "point", "start", "count", "min", "max", "sum", "last", "lastTs", "notGood" FROM ${rows}
    ON CONFLICT (point, start) DO UPDATE SET
      count = ${t}.count + excluded.count,
      min = least(${t}.min, excluded.min),
      max = greatest(${t}.max, excluded.max),
      sum = ${t}.sum + excluded.sum,
      last = CASE WHEN ${newer} THEN excluded.last ELSE ${t}.last END,
      last_ts = CASE WHEN ${newer} THEN excluded.last_ts ELSE ${t}.last_ts END,
      not_good = ${t}.not_good + excluded.not_good`)
}

const COLUMNS = {
  point: 'text',
  start: 'bigint',
  count: 'integer',
  min: 'double precision',
  max: 'double precision',
  sum: 'double precision',
  last: 'double precision',
  lastTs: 'bigint',
  notGood: 'integer',
} as const

/** The 1-min and 1-h rollups of a batch, in its transaction: one statement each (issue 15). */
export async function mergeRollups(q: Q, samples: readonly Sample[]): Promise<void> {
  if (samples.length === 0) return
  await merge(q, 'rollups_1m', samples, ROLLUP_WIDTHS['1m'])
  await merge(q, 'rollups_1h', samples, ROLLUP_WIDTHS['1h'])
}
