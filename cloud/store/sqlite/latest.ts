import type { Sample } from '../../../shared/wire/sample.ts'
import { CLOCK_SKEW } from '../../../shared/rules/time-check.ts'
import { latestRows } from '../latest-rows.ts'
import type { Db } from './db.ts'
import { createMultiRowInsert } from './multi-row.ts'

/**
 * Each point's latest value (schema.ts `points`), moved by a batch with one multi-row upsert, whatever
 * the batch (issue 15, "a small, fixed number of statements per batch"): the batch's newest
 * trusted sample per point, as the rows of one multi-row upsert (multi-row.ts).
 *
 * Per point, as before: the point exists (its edge noted once), and its latest value moves only
 * forwards in time; the newest good sample's time is kept for comm-loss. Another edge's point is
 * never touched (issue 13; ingest screens the batch first). A clock_skew sample
 * (shared/rules/time-check.ts) never pins the latest value: it replaces nothing trusted, and
 * anything trusted replaces it (issue 14).
 */
export function createLatestOps(db: Db) {
  const NEWER = `points.latest_ts IS NULL OR ((excluded.latest_reason IS NULL OR excluded.latest_reason NOT LIKE '${CLOCK_SKEW}:%') AND (points.latest_ts < excluded.latest_ts OR coalesce(points.latest_reason, '') LIKE '${CLOCK_SKEW}:%'))`
  const upsert = createMultiRowInsert(
    db,
    'INSERT INTO points (id, edge, latest_ts, latest_value, latest_text, latest_quality, latest_reason, last_good_ts)',
    8,
    `ON CONFLICT (id) DO UPDATE SET
      edge = coalesce(points.edge, excluded.edge),
      last_good_ts = CASE WHEN (${NEWER}) AND excluded.latest_quality = 'good' THEN max(coalesce(points.last_good_ts, 0), excluded.latest_ts) ELSE points.last_good_ts END,
      latest_value = CASE WHEN ${NEWER} THEN excluded.latest_value ELSE points.latest_value END,
      latest_text = CASE WHEN ${NEWER} THEN excluded.latest_text ELSE points.latest_text END,
      latest_quality = CASE WHEN ${NEWER} THEN excluded.latest_quality ELSE points.latest_quality END,
      latest_reason = CASE WHEN ${NEWER} THEN excluded.latest_reason ELSE points.latest_reason END,
      latest_ts = CASE WHEN ${NEWER} THEN excluded.latest_ts ELSE points.latest_ts END
    WHERE points.edge IS NULL OR points.edge = excluded.edge`,
  )

  return {
    /** Moves the latest value of every point in `samples` (from `edge`): a statement per 512 points; nothing for an empty batch. */
    update(edge: string, samples: readonly Sample[]): void {
      if (samples.length === 0) return
      // The rows are engine-neutral (latest-rows.ts); the upsert condition is this engine's SQL.
      upsert.run(
        latestRows(edge, samples).map((r) => [
          r.id,
          r.edge,
          r.latestTs,
          r.latestValue,
          r.latestText,
          r.latestQuality,
          r.latestReason,
          r.lastGoodTs,
        ]),
      )
    },
  }
}
