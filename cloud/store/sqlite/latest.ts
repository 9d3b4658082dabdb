import type { Sample } from '../../../shared/wire/sample.ts'
import { CLOCK_SKEW } from '../../../shared/rules/time-check.ts'
import { groupByPoint } from '../../alarms/engine/point.ts'
import { newestTrusted } from '../../alarms/engine/trace.ts'
import type { Db } from './db.ts'
import { encodeValue } from './values.ts'

/**
 * Each point's latest value (schema.ts `points`), moved by a batch with ONE statement, whatever
 * the batch (issue 15, "a small, fixed number of statements per batch"): the batch's newest
 * trusted sample per point goes in as a JSON array read by json_each, as the rollups do
 * (rollups.ts). Row: [point, ts, value, value_text, quality, reason].
 *
 * Per point, as before: the point exists (its edge noted once), and its latest value moves only
 * forwards in time; the newest good sample's time is kept for comm-loss. Another edge's point is
 * never touched (issue 13; ingest screens the batch first). A clock_skew sample
 * (shared/rules/time-check.ts) never pins the latest value: it replaces nothing trusted, and
 * anything trusted replaces it (issue 14).
 */
export function createLatestOps(db: Db) {
  const NEWER = `points.latest_ts IS NULL OR ((excluded.latest_reason IS NULL OR excluded.latest_reason NOT LIKE '${CLOCK_SKEW}:%') AND (points.latest_ts < excluded.latest_ts OR coalesce(points.latest_reason, '') LIKE '${CLOCK_SKEW}:%'))`
  // `WHERE true`: the upsert clause after a SELECT needs it (SQLite's parsing ambiguity).
  const upsert = db.$client.prepare<[{ rows: string; edge: string }]>(`
    INSERT INTO points (id, edge, latest_ts, latest_value, latest_text, latest_quality, latest_reason, last_good_ts)
    SELECT value ->> 0, @edge, value ->> 1, value ->> 2, value ->> 3, value ->> 4, value ->> 5,
      CASE WHEN value ->> 4 = 'good' THEN value ->> 1 END
    FROM json_each(@rows) WHERE true
    ON CONFLICT (id) DO UPDATE SET
      edge = coalesce(points.edge, excluded.edge),
      last_good_ts = CASE WHEN (${NEWER}) AND excluded.latest_quality = 'good' THEN max(coalesce(points.last_good_ts, 0), excluded.latest_ts) ELSE points.last_good_ts END,
      latest_value = CASE WHEN ${NEWER} THEN excluded.latest_value ELSE points.latest_value END,
      latest_text = CASE WHEN ${NEWER} THEN excluded.latest_text ELSE points.latest_text END,
      latest_quality = CASE WHEN ${NEWER} THEN excluded.latest_quality ELSE points.latest_quality END,
      latest_reason = CASE WHEN ${NEWER} THEN excluded.latest_reason ELSE points.latest_reason END,
      latest_ts = CASE WHEN ${NEWER} THEN excluded.latest_ts ELSE points.latest_ts END
    WHERE points.edge IS NULL OR points.edge = excluded.edge`)

  return {
    /** Moves the latest value of every point in `samples` (from `edge`): one statement; nothing for an empty batch. */
    update(edge: string, samples: readonly Sample[]): void {
      if (samples.length === 0) return
      const rows: unknown[] = []
      for (const [point, group] of groupByPoint(samples)) {
        const newest = newestTrusted(group)
        const v = encodeValue(newest.value)
        // JSON numbers round-trip exactly through SQLite's json_each (the wire's numbers are finite).
        rows.push([point, newest.ts, v.value, v.text, newest.quality, newest.reason ?? null])
      }
      upsert.run({ rows: JSON.stringify(rows), edge })
    },
  }
}
