import { bucketFigures } from '../historian/figures.ts'
import { pageAfter, pageWindow } from '../historian/pages.ts'
import type { BucketRow } from '../../telemetry/buckets.ts'
import { type PointIntervals, receivedIn } from '../../telemetry/completeness.ts'
import type { HistoryCursor, Scope, StoredSample } from '../store.ts'
import type { Db } from './db.ts'
import { createRollupOps } from './rollups.ts'
import { createRawSpanReads } from './raw-spans.ts'
import type { SampleReader } from './sample-reads.ts'

/**
 * History reads over the historian (issue 15: sealed chunks and blocks not compacted yet, merged
 * by sample-reads.ts): raw pages with a (ts, ordinal among that ts) cursor (historian/pages.ts),
 * bucket figures and completeness computed over the decoded samples, with the same answers the
 * row-per-sample store gave in SQL.
 */
export function createHistoryOps(db: Db, reader: SampleReader) {
  const sqlite = db.$client
  const inScope = sqlite.prepare<{ point: string; enterprise: string }>(
    'SELECT 1 FROM points WHERE id = @point AND enterprise = @enterprise',
  )
  const visible = (point: string, scope: Scope) =>
    scope === 'all' || inScope.get({ point, enterprise: scope.enterprise }) !== undefined
  const registered = sqlite.prepare<{ enterprise: string | null }, { point: string; enterprise: string | null }>(
    'SELECT id AS point, enterprise FROM points WHERE registered = 1 AND (@enterprise IS NULL OR enterprise = @enterprise) ORDER BY id',
  )

  const rollups = createRollupOps(db)
  const rawSpans = createRawSpanReads(reader)
  /** The raw path: buckets computed over the decoded samples (historian/figures.ts). */
  function rawBuckets(point: string, plan: { from: number; to: number; step: number }): BucketRow[] {
    return bucketFigures(reader.read(point, plan.from, plan.to), plan)
  }

  return {
    rawBuckets,

    /** Completeness figures per registered point in scope (cloud/telemetry/completeness.ts). */
    intervals(range: { from: number; to: number; step: number }, scope: Scope): PointIntervals[] {
      const list = registered.all({ enterprise: scope === 'all' ? null : scope.enterprise })
      const samples = reader.readPoints(
        list.map((p) => p.point),
        range.from,
        range.to,
      )
      return list.map((p) => ({
        point: p.point,
        enterprise: p.enterprise,
        ...receivedIn(samples.get(p.point) ?? [], range),
      }))
    },

    buckets(point: string, plan: { from: number; to: number; step: number }, scope: Scope): BucketRow[] {
      if (!visible(point, scope)) return []
      // Long ranges from the 1-min/1-h rollups, partial minutes from the samples (rollups.ts).
      return rollups.buckets(point, plan, (p) => rawBuckets(point, p), rawSpans)
    },

    page(
      point: string,
      range: { from: number; to: number; limit: number; after?: HistoryCursor },
      scope: Scope,
    ): { samples: StoredSample[]; next: HistoryCursor | null } {
      if (!visible(point, scope)) return { samples: [], next: null }
      const w = pageWindow(range)
      return pageAfter(reader.read(point, w.from, w.to, w.enough), range.after, range.limit)
    },
  }
}
