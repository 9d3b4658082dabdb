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

  // The rows inside the given spans (a JSON array of [from, to)), per bucket of the plan, in ONE
  // pass: each span's rows lie inside one bucket (rollup-plan.ts), so the bucket is the row
  // start's. `last` is the newest good row's (count > 0): a row's last_ts lies inside its own
  // minute or hour, so the newest by start is the newest by last_ts, looked up by its key.
  // The plan's from and step are bound as integers (BigInt): as REAL, every row's bucket index
  // took two CASTs (measured, issue 15: this statement ≈ 20 ms CPU over a month of 1-min rows,
  // the two it replaced ≈ 30 ms).
  const read = (table: string) =>
    sqlite.prepare<{ point: string; from: bigint; step: bigint; spans: string }, Part>(`
      WITH g AS (
        SELECT (r.start - @from) / @step AS i, SUM(r.count) AS count, MIN(r.min) AS min, MAX(r.max) AS max,
          SUM(r.sum) AS sum, SUM(r.not_good) AS notGood, MAX(CASE WHEN r.count > 0 THEN r.start END) AS lastStart
        FROM json_each(@spans) j CROSS JOIN ${table} r
        WHERE r.point = @point AND r.start >= j.value ->> 0 AND r.start < j.value ->> 1
        GROUP BY i)
      SELECT g.i, g.count, g.min, g.max, g.sum, g.notGood, l.last, l.last_ts AS lastTs
      FROM g LEFT JOIN ${table} l ON l.point = @point AND l.start = g.lastStart`)
  const readers = { '1m': read(TABLES['1m']), '1h': read(TABLES['1h']) }

  function partsFrom(source: RollupSource, point: string, plan: Plan, spans: readonly Span[]): Part[] {
    if (spans.length === 0) return []
    const [from, step] = [BigInt(Math.trunc(plan.from)), BigInt(Math.trunc(plan.step))]
    return readers[source].all({ point, from, step, spans: JSON.stringify(spans.map((s) => [s.from, s.to])) })
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
