import { sql } from 'drizzle-orm'
import { CLOCK_SKEW } from '../../../shared/rules/time-check.ts'
import type { Sample } from '../../../shared/wire/sample.ts'
import { latestRows } from '../latest-rows.ts'
import { inChunks } from './chunks.ts'
import { points } from './schema.ts'
import type { Q } from './tx.ts'

const skewed = `'${CLOCK_SKEW}:%'`
// Whether the incoming row (excluded) replaces the stored latest value: newer, or the stored one
// is clock_skew; a clock_skew sample replaces nothing trusted (issue 14, as sqlite/latest.ts).
const NEWER = `(points.latest_ts IS NULL OR ((excluded.latest_reason IS NULL OR excluded.latest_reason NOT LIKE ${skewed}) AND (points.latest_ts < excluded.latest_ts OR coalesce(points.latest_reason, '') LIKE ${skewed})))`
const moved = (column: string) => sql.raw(`CASE WHEN ${NEWER} THEN excluded.${column} ELSE points.${column} END`)

/**
 * Each point's latest value on PostgreSQL (as cloud/store/sqlite/latest.ts): one multi-row upsert
 * per batch (rows: latest-rows.ts). The point exists afterwards (its edge noted once); its latest
 * value only moves forwards in time; the newest good sample's time is kept for comm-loss; another
 * edge's point is never touched (issue 13).
 */
export async function updateLatest(q: Q, edge: string, samples: readonly Sample[]): Promise<void> {
  if (samples.length === 0) return
  await inChunks(latestRows(edge, samples), 8, (rows) =>
    q
      .insert(points)
      .values(rows)
      .onConflictDoUpdate({
        target: points.id,
        set: {
          edge: sql`coalesce(points.edge, excluded.edge)`,
          lastGoodTs: sql`CASE WHEN ${sql.raw(NEWER)} AND excluded.latest_quality = 'good' THEN greatest(coalesce(points.last_good_ts, 0), excluded.latest_ts) ELSE points.last_good_ts END`,
          latestValue: moved('latest_value'),
          latestText: moved('latest_text'),
          latestQuality: moved('latest_quality'),
          latestReason: moved('latest_reason'),
          latestTs: moved('latest_ts'),
        },
        setWhere: sql`points.edge IS NULL OR points.edge = excluded.edge`,
      }),
  )
}
