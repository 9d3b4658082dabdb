import type { Sample } from '../../../shared/wire/sample.ts'
import { ROLLUP_WIDTHS } from '../historian/rollup.ts'
import { rollupRows } from '../rollup-rows.ts'
import type { BucketRow } from '../../telemetry/buckets.ts'
import {
  combineParts,
  planSources,
  worthRollups,
  type Part,
  type Plan,
  type RollupSource,
  type Span,
} from '../../telemetry/rollup-plan.ts'
import type { Db } from './db.ts'
import type { RawSpanReads } from './raw-spans.ts'
import { createMultiRowInsert } from './multi-row.ts'

const TABLES: Record<RollupSource, string> = { '1m': 'rollups_1m', '1h': 'rollups_1h' }

/** A batch's rollup rows for one table as bound values: [point, start, count, min, max, sum, last, last_ts, not_good] (rollup-rows.ts). */
const rowsOf = (samples: readonly Sample[], width: number): unknown[][] =>
  rollupRows(samples, width).map((r) => [r.point, r.start, r.count, r.min, r.max, r.sum, r.last, r.lastTs, r.notGood])

/**
 * The rollup tables (schema.ts rollups_1m / rollups_1h): merged at ingest, in the batch's
 * transaction, by one multi-row upsert per table and batch (multi-row.ts: a statement per 512 rows), and read for history buckets (cloud/telemetry/rollup-plan.ts).
 */
export function createRollupOps(db: Db) {
  const sqlite = db.$client
  // Late and out-of-order samples merge: sums add up, min/max widen, last is the newest by time.
  const upsert = (table: string) =>
    createMultiRowInsert(
      db,
      `INSERT INTO ${table} (point, start, count, min, max, sum, last, last_ts, not_good)`,
      9,
      `ON CONFLICT (point, start) DO UPDATE SET
        count = ${table}.count + excluded.count,
        min = min(coalesce(${table}.min, excluded.min), coalesce(excluded.min, ${table}.min)),
        max = max(coalesce(${table}.max, excluded.max), coalesce(excluded.max, ${table}.max)),
        sum = ${table}.sum + excluded.sum,
        last = CASE WHEN excluded.last_ts IS NOT NULL AND (${table}.last_ts IS NULL OR excluded.last_ts >= ${table}.last_ts) THEN excluded.last ELSE ${table}.last END,
        last_ts = CASE WHEN excluded.last_ts IS NOT NULL AND (${table}.last_ts IS NULL OR excluded.last_ts >= ${table}.last_ts) THEN excluded.last_ts ELSE ${table}.last_ts END,
        not_good = ${table}.not_good + excluded.not_good`,
    )
  const upserts = { '1m': upsert(TABLES['1m']), '1h': upsert(TABLES['1h']) }

  // The rows inside the given spans (a JSON array of [from, to)), per bucket of the plan. Each
  // span's rows lie inside one bucket (rollup-plan.ts), so the bucket is the row start's.
  // Parameters are bound as REAL: the bucket index is integer division only with the CASTs.
  const spanRows = (table: string) => `
    SELECT (r.start - CAST(@from AS INTEGER)) / CAST(@step AS INTEGER) AS i, r.*
    FROM json_each(@spans) j CROSS JOIN ${table} r
    WHERE r.point = @point AND r.start >= j.value ->> 0 AND r.start < j.value ->> 1`
  const reads = (table: string) => ({
    figures: sqlite.prepare(`
      SELECT i, SUM(count) AS count, MIN(min) AS min, MAX(max) AS max, SUM(sum) AS sum, SUM(not_good) AS notGood
      FROM (${spanRows(table)}) GROUP BY i`),
    // With exactly one max() SQLite takes the bare column (last) from the row holding the max.
    lasts: sqlite.prepare(
      `SELECT i, last, MAX(last_ts) AS lastTs FROM (${spanRows(table)}) WHERE count > 0 GROUP BY i`,
    ),
  })
  const readers = { '1m': reads(TABLES['1m']), '1h': reads(TABLES['1h']) }

  function partsFrom(source: RollupSource, point: string, plan: Plan, spans: readonly Span[]): Part[] {
    if (spans.length === 0) return []
    const args = { point, from: plan.from, step: plan.step, spans: JSON.stringify(spans.map((s) => [s.from, s.to])) }
    const lasts = new Map(
      (readers[source].lasts.all(args) as Array<{ i: number; last: number; lastTs: number }>).map((r) => [r.i, r]),
    )
    return (readers[source].figures.all(args) as Array<Omit<Part, 'last' | 'lastTs'>>).map((r) => ({
      ...r,
      last: lasts.get(r.i)?.last ?? null,
      lastTs: lasts.get(r.i)?.lastTs ?? null,
    }))
  }

  return {
    /** Merges a batch's samples into both rollup tables: a multi-row upsert each (multi-row.ts). */
    add(samples: readonly Sample[]): void {
      if (samples.length === 0) return
      upserts['1m'].run(rowsOf(samples, ROLLUP_WIDTHS['1m']))
      upserts['1h'].run(rowsOf(samples, ROLLUP_WIDTHS['1h']))
    },

    /**
     * History buckets (the raw path's rows) answered from the rollups where the plan allows it
     * (rollup-plan.ts), the partial minutes from the samples (raw-spans.ts); a plan not worth it through `raw`.
     */
    buckets(point: string, plan: Plan, raw: (plan: Plan) => BucketRow[], rawSpans: RawSpanReads): BucketRow[] {
      const sources = planSources(plan)
      if (!worthRollups(plan, sources)) return raw(plan)
      const parts = [
        ...partsFrom('1h', point, plan, sources['1h']),
        ...partsFrom('1m', point, plan, sources['1m']),
        ...rawSpans(point, plan, sources.raw),
      ]
      return combineParts(parts)
    },
  }
}
