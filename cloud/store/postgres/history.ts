import { and, eq } from 'drizzle-orm'
import type { Scope } from '../../auth/roles.ts'
import { bucketFigures } from '../historian/figures.ts'
import { pageAfter, pageWindow } from '../historian/pages.ts'
import type { TelemetryRepo } from '../repos/telemetry.ts'
import { inScope } from '../sql-scope.ts'
import type { BucketRow } from '../../telemetry/buckets.ts'
import { type PointIntervals, receivedIn } from '../../telemetry/completeness.ts'
import { combineParts, planSources, worthRollups, type Plan } from '../../telemetry/rollup-plan.ts'
import type { PgDb } from './db.ts'
import { pointVisible } from './queries.ts'
import { rawSpanParts, rollupParts } from './rollup-reads.ts'
import type { PgSampleReader } from './sample-reads.ts'
import { points } from './schema.ts'
import { byteOrder } from './tx.ts'

/**
 * History reads over the historian on PostgreSQL, with SQLite's answers (cloud/store/sqlite/history.ts):
 * raw pages with a (ts, ordinal among that ts) cursor (historian/pages.ts), bucket figures over
 * the decoded samples (historian/figures.ts) or, for long ranges, from the 1-min/1-h rollups plus
 * the partial minutes' samples (rollup-plan.ts), completeness figures per registered point.
 */
export function pgHistoryReads(
  db: PgDb,
  reader: PgSampleReader,
): Pick<TelemetryRepo, 'historyPage' | 'historyBuckets' | 'completenessIntervals'> {
  /** The raw path: buckets computed over the decoded samples. */
  const rawBuckets = async (point: string, plan: Plan) =>
    bucketFigures(await reader.read(point, plan.from, plan.to), plan)

  /** Long ranges from the rollups where the plan allows it, else the raw path. */
  async function buckets(point: string, plan: Plan): Promise<BucketRow[]> {
    const sources = planSources(plan)
    if (!worthRollups(plan, sources)) return rawBuckets(point, plan)
    const [hours, minutes, raw] = await Promise.all([
      rollupParts(db, '1h', point, plan, sources['1h']),
      rollupParts(db, '1m', point, plan, sources['1m']),
      rawSpanParts(reader, point, plan, sources.raw),
    ])
    return combineParts([...hours, ...minutes, ...raw])
  }

  return {
    async historyPage(point, range, scope) {
      if (!(await pointVisible(db, point, scope))) return { samples: [], next: null }
      const w = pageWindow(range)
      return pageAfter(await reader.read(point, w.from, w.to, w.enough), range.after, range.limit)
    },

    async historyBuckets(point, plan, scope) {
      return (await pointVisible(db, point, scope)) ? buckets(point, plan) : []
    },

    async completenessIntervals(range, scope: Scope): Promise<PointIntervals[]> {
      const list = await db
        .select({ point: points.id, enterprise: points.enterprise })
        .from(points)
        .where(and(eq(points.registered, true), inScope(scope, points.enterprise)))
        .orderBy(byteOrder(points.id))
      const samples = await reader.readPoints(
        list.map((p) => p.point),
        range.from,
        range.to,
      )
      return list.map((p) => ({ ...p, ...receivedIn(samples.get(p.point) ?? [], range) }))
    },
  }
}
