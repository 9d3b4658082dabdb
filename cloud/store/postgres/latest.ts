import { sql } from 'drizzle-orm'
import { CLOCK_SKEW } from '../../../shared/rules/time-check.ts'
import type { Sample } from '../../../shared/wire/sample.ts'
import { latestRows } from '../latest-rows.ts'
import { jsonRows } from './json-rows.ts'
import type { Q } from './tx.ts'

const skewed = `'${CLOCK_SKEW}:%'`
// Whether the incoming row (excluded) replaces the stored latest value: newer, or the stored one
// is clock_skew; a clock_skew sample replaces nothing trusted (issue 14, as sqlite/latest.ts).
const NEWER = `(points.latest_ts IS NULL OR ((excluded.latest_reason IS NULL OR excluded.latest_reason NOT LIKE ${skewed}) AND (points.latest_ts < excluded.latest_ts OR coalesce(points.latest_reason, '') LIKE ${skewed})))`
const moved = (column: string) => sql.raw(`CASE WHEN ${NEWER} THEN excluded.${column} ELSE points.${column} END`)

/**
 * Each point's latest value on PostgreSQL (as cloud/store/sqlite/latest.ts): one upsert per batch
 * of every point's row (rows: latest-rows.ts, one parameter: json-rows.ts). The point exists
 * afterwards (its edge noted once); its latest value only moves forwards in time; the newest good
 * sample's time is kept for comm-loss; another edge's point is never touched (issue 13).
 */
export async function updateLatest(q: Q, edge: string, samples: readonly Sample[]): Promise<void> {
  if (samples.length === 0) return
  const rows = jsonRows(latestRows(edge, samples), COLUMNS)
  await q.execute(sql`
    INSERT INTO points AS points (id, edge, latest_ts, latest_value, latest_text, latest_quality, latest_reason, last_good_ts)
    SELECT "id", "edge", "latestTs", "latestValue", "latestText", "latestQuality", "latestReason", "lastGoodTs" FROM ${rows}
    ON CONFLICT (id) DO UPDATE SET
      edge = coalesce(points.edge, excluded.edge),
      last_good_ts = CASE WHEN ${sql.raw(NEWER)} AND excluded.latest_quality = 'good' THEN greatest(coalesce(points.last_good_ts, 0), excluded.latest_ts) ELSE points.last_good_ts END,
      latest_value = ${moved('latest_value')},
      latest_text = ${moved('latest_text')},
      latest_quality = ${moved('latest_quality')},
      latest_reason = ${moved('latest_reason')},
      latest_ts = ${moved('latest_ts')}
    WHERE points.edge IS NULL OR points.edge = excluded.edge`)
}

const COLUMNS = {
  id: 'text',
  edge: 'text',
  latestTs: 'bigint',
  latestValue: 'double precision',
  latestText: 'text',
  latestQuality: 'text',
  latestReason: 'text',
  lastGoodTs: 'bigint',
} as const
