/**
 * History aggregation, the pure part: how a time range is cut into buckets, and the answer with
 * every bucket present (an empty bucket is a gap the trend chart must show, not skip). The store
 * computes min/max/avg/last/count per bucket in SQL (cloud/store/sqlite/history.ts).
 */
/**
 * At most this many buckets per answer: as many rows as a raw page (HISTORY_MAX_LIMIT). Three
 * years at step=1h (26 304 buckets) fit: long ranges are answered from the rollups (issue 15,
 * cloud/telemetry/rollup-plan.ts), so the range itself is not limited.
 */
export const MAX_BUCKETS = 100_000

export interface BucketPlan {
  from: number
  to: number
  /** Bucket width in ms; bucket i is [from + i·step, from + (i+1)·step), the last one cut at `to`. */
  step: number
  count: number
}

/** A duration: milliseconds, or a number with s, m, h or d (`30s`, `5m`, `1h`, `1d`). */
export function parseStep(text: string): number | null {
  const m = /^(\d{1,9})(ms|s|m|h|d)?$/.exec(text)
  if (!m) return null
  const n = Number(m[1])
  const unit = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 }[(m[2] ?? 'ms') as 'ms']
  return n * unit > 0 ? n * unit : null
}

/** The buckets for [from, to): from a width (`step`) or a number (`buckets`). A problem is a message for a 400. */
export function planBuckets(o: {
  from: number
  to: number
  step?: number
  buckets?: number
}): BucketPlan | { problem: string } {
  const span = o.to - o.from
  if (!(span > 0)) return { problem: 'from must be before to' }
  if ((o.step === undefined) === (o.buckets === undefined)) return { problem: 'give either step or buckets' }
  const step = o.step ?? Math.ceil(span / o.buckets!)
  const count = Math.ceil(span / step)
  if (count > MAX_BUCKETS)
    return { problem: `${count} buckets of ${step} ms: at most ${MAX_BUCKETS} (use a larger step or a shorter range)` }
  return { from: o.from, to: o.to, step, count }
}

export interface BucketRow {
  /** Bucket index. */
  i: number
  count: number
  min: number
  max: number
  avg: number
  last: number
  lastTs: number
  /** Samples of bad or uncertain quality in the bucket (not in the figures). */
  notGood: number
}

export interface Bucket {
  start: number
  end: number
  count: number
  min: number | null
  max: number | null
  avg: number | null
  last: number | null
  lastTs: number | null
  notGood: number
}

/** Every bucket of the plan, in order, with the store's figures where it had samples. */
export function fillBuckets(plan: BucketPlan, rows: ReadonlyArray<Partial<BucketRow> & { i: number }>): Bucket[] {
  const byIndex = new Map(rows.map((r) => [r.i, r]))
  return Array.from({ length: plan.count }, (_, i) => {
    const r = byIndex.get(i)
    const start = plan.from + i * plan.step
    const has = r !== undefined && (r.count ?? 0) > 0
    return {
      start,
      end: Math.min(start + plan.step, plan.to),
      count: r?.count ?? 0,
      min: has ? r.min! : null,
      max: has ? r.max! : null,
      avg: has ? r.avg! : null,
      last: has ? r.last! : null,
      lastTs: has ? r.lastTs! : null,
      notGood: r?.notGood ?? 0,
    }
  })
}
