import type { BucketRow } from '../../telemetry/buckets.ts'
import { intervalsIn, type PointIntervals } from '../../telemetry/completeness.ts'
import type { HistoryCursor, Scope, StoredSample } from '../store.ts'
import type { Db } from './db.ts'
import { toStoredSample } from './values.ts'
import { createRollupOps } from './rollups.ts'

/**
 * History reads over the samples_point_ts index: aggregation buckets computed in SQL (the
 * samples never leave the database), and raw pages with a (ts, rowid) cursor so that samples
 * sharing a timestamp are neither skipped nor repeated between pages.
 */
export function createHistoryOps(db: Db) {
  const sqlite = db.$client
  const inScope = sqlite.prepare<{ point: string; enterprise: string }>(
    'SELECT 1 FROM points WHERE id = @point AND enterprise = @enterprise',
  )
  const visible = (point: string, scope: Scope) =>
    scope === 'all' || inScope.get({ point, enterprise: scope.enterprise }) !== undefined

  // Parameters are bound as REAL: the bucket index is integer division only with the CASTs.
  // Figures over good numeric samples; the others are counted as notGood.
  const figures = sqlite.prepare<{ point: string; from: number; to: number; step: number }>(`
    SELECT (ts - CAST(@from AS INTEGER)) / CAST(@step AS INTEGER) AS i,
           SUM(quality = 'good' AND value IS NOT NULL) AS count,
           MIN(CASE WHEN quality = 'good' THEN value END) AS min,
           MAX(CASE WHEN quality = 'good' THEN value END) AS max,
           AVG(CASE WHEN quality = 'good' THEN value END) AS avg,
           SUM(quality <> 'good') AS notGood
    FROM samples WHERE point = @point AND ts >= @from AND ts < @to
    GROUP BY i ORDER BY i`)
  // With exactly one max() SQLite takes the bare column (value) from the row holding the max.
  const lasts = sqlite.prepare<{ point: string; from: number; to: number; step: number }>(`
    SELECT i, value AS last, MAX(ts) AS lastTs FROM (
      SELECT (ts - CAST(@from AS INTEGER)) / CAST(@step AS INTEGER) AS i, ts, value FROM samples
      WHERE point = @point AND ts >= @from AND ts < @to AND quality = 'good' AND value IS NOT NULL)
    GROUP BY i`)
  const page = sqlite.prepare<{
    point: string
    from: number
    to: number
    afterTs: number
    afterRow: number
    limit: number
  }>(`
    SELECT rowid AS row, ts, value, value_text AS text, quality, reason FROM samples
    WHERE point = @point AND ts >= @from AND ts <= @to AND (ts > @afterTs OR (ts = @afterTs AND rowid > @afterRow))
    ORDER BY ts, rowid LIMIT @limit`)

  // Registered points in scope, with the intervals [from, to) of `step` that had a good sample.
  const intervals = sqlite.prepare<{
    from: number
    to: number
    step: number
    last: number
    enterprise: string | null
  }>(`
    SELECT p.id AS point, p.enterprise AS enterprise,
           COUNT(DISTINCT (s.ts - CAST(@from AS INTEGER)) / CAST(@step AS INTEGER)) AS received,
           COALESCE(MAX(s.ts >= @last), 0) AS recent
    FROM points p LEFT JOIN samples s ON s.point = p.id AND s.ts >= @from AND s.ts < @to AND s.quality = 'good'
    WHERE p.registered = 1 AND (@enterprise IS NULL OR p.enterprise = @enterprise)
    GROUP BY p.id ORDER BY p.id`)

  const rollups = createRollupOps(db)
  /** The raw path: buckets computed in SQL over the samples. */
  function rawBuckets(point: string, plan: { from: number; to: number; step: number }): BucketRow[] {
    const args = { point, ...plan }
    const last = new Map((lasts.all(args) as Array<{ i: number; last: number; lastTs: number }>).map((r) => [r.i, r]))
    return (figures.all(args) as Array<Omit<BucketRow, 'last' | 'lastTs'>>).map((r) => ({
      ...r,
      last: last.get(r.i)?.last ?? Number.NaN,
      lastTs: last.get(r.i)?.lastTs ?? Number.NaN,
    }))
  }

  return {
    rawBuckets,

    /** Completeness figures per registered point in scope (cloud/telemetry/completeness.ts). */
    intervals(range: { from: number; to: number; step: number }, scope: Scope): PointIntervals[] {
      const last = range.from + (intervalsIn(range.from, range.to, range.step) - 1) * range.step
      const rows = intervals.all({ ...range, last, enterprise: scope === 'all' ? null : scope.enterprise }) as Array<{
        point: string
        enterprise: string | null
        received: number
        recent: number
      }>
      return rows.map((r) => ({
        point: r.point,
        enterprise: r.enterprise,
        received: r.received,
        recent: r.recent === 1,
      }))
    },

    buckets(point: string, plan: { from: number; to: number; step: number }, scope: Scope): BucketRow[] {
      if (!visible(point, scope)) return []
      // Long ranges from the 1-min/1-h rollups, partial minutes from the samples (rollups.ts).
      return rollups.buckets(point, plan, (p) => rawBuckets(point, p))
    },

    page(
      point: string,
      range: { from: number; to: number; limit: number; after?: HistoryCursor },
      scope: Scope,
    ): { samples: StoredSample[]; next: HistoryCursor | null } {
      if (!visible(point, scope)) return { samples: [], next: null }
      const rows = page.all({
        point,
        from: range.from,
        to: range.to,
        afterTs: range.after?.ts ?? Number.MIN_SAFE_INTEGER,
        afterRow: range.after?.row ?? -1,
        limit: range.limit + 1,
      }) as Array<{
        row: number
        ts: number
        value: number | null
        text: string | null
        quality: string
        reason: string | null
      }>
      const more = rows.length > range.limit
      const kept = more ? rows.slice(0, range.limit) : rows
      const end = kept.at(-1)
      return { samples: kept.map(toStoredSample), next: more && end ? { ts: end.ts, row: end.row } : null }
    },
  }
}
