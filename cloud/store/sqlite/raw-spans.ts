import type { Part, Plan, Span } from '../../telemetry/rollup-plan.ts'
import type { Db } from './db.ts'

/**
 * The samples of the partial minutes a rollup answer needs (cloud/telemetry/rollup-plan.ts), per
 * bucket of the plan, in one statement pair whatever the number of spans (a JSON array read by
 * json_each). The same figures as the raw bucket SQL (history.ts): good numeric samples, the
 * others counted as not good. The one raw read of the rollup path: ported with dropRawBefore when
 * the historian chunks replace the samples table.
 */
export function createRawSpanReads(db: Db) {
  const sqlite = db.$client
  const inSpans = (columns: string) => `
    SELECT (s.ts - CAST(@from AS INTEGER)) / CAST(@step AS INTEGER) AS i, ${columns}
    FROM json_each(@spans) j CROSS JOIN samples s
    WHERE s.point = @point AND s.ts >= j.value ->> 0 AND s.ts < j.value ->> 1`
  const figures = sqlite.prepare(`
    SELECT i, SUM(quality = 'good' AND value IS NOT NULL) AS count,
           MIN(CASE WHEN quality = 'good' THEN value END) AS min,
           MAX(CASE WHEN quality = 'good' THEN value END) AS max,
           COALESCE(SUM(CASE WHEN quality = 'good' THEN value END), 0) AS sum,
           SUM(quality <> 'good') AS notGood
    FROM (${inSpans('s.quality, s.value')}) GROUP BY i`)
  // With exactly one max() SQLite takes the bare column (value) from the row holding the max.
  const lasts = sqlite.prepare(`
    SELECT i, value AS last, MAX(ts) AS lastTs FROM (${inSpans('s.ts, s.value, s.quality')})
    WHERE quality = 'good' AND value IS NOT NULL GROUP BY i`)

  return (point: string, plan: Plan, spans: readonly Span[]): Part[] => {
    if (spans.length === 0) return []
    const args = { point, from: plan.from, step: plan.step, spans: JSON.stringify(spans.map((s) => [s.from, s.to])) }
    const last = new Map((lasts.all(args) as Array<{ i: number; last: number; lastTs: number }>).map((r) => [r.i, r]))
    return (figures.all(args) as Array<Omit<Part, 'last' | 'lastTs'>>).map((r) => ({
      ...r,
      last: last.get(r.i)?.last ?? null,
      lastTs: last.get(r.i)?.lastTs ?? null,
    }))
  }
}
