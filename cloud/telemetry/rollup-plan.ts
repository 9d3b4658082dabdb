import type { BucketRow } from './buckets.ts'

/**
 * How a history bucket plan is answered from the rollups (issue 15) with the raw path's exact
 * figures: each bucket [a, b) is cut into the whole hours inside it (1-h rollups), the whole
 * minutes around them (1-min rollups) and the partial minutes at its ends (raw samples). A
 * rollup row is used only when it lies inside one bucket, so no sample is counted twice or in
 * the wrong bucket; a plan whose `from` and `step` are on the hour reads 1-h rows only (plus
 * the raw tail when `to` is not on a minute). Pure: the engine runs the reads.
 */
export const MINUTE = 60_000
export const HOUR = 3_600_000
export type RollupSource = '1m' | '1h'

export interface Span {
  from: number
  to: number
}

export interface SourcePlan {
  '1h': Span[]
  '1m': Span[]
  /** Partial minutes, read from the samples (a sample lies in one bucket: any spans join). */
  raw: Span[]
}

export interface Plan {
  from: number
  to: number
  step: number
}

const floorTo = (t: number, w: number) => t - (((t % w) + w) % w)
const ceilTo = (t: number, w: number) => (floorTo(t, w) === t ? t : floorTo(t, w) + w)

function pushSpan(list: Span[], from: number, to: number): void {
  if (from >= to) return
  const last = list.at(-1)
  // Adjacent rollup pieces of two buckets join only at a boundary on the rollup's grid: no row straddles it.
  if (last && last.to === from) last.to = to
  else list.push({ from, to })
}

/** [x, y) inside one bucket: its whole minutes from the 1-min rollups, the rest raw. */
function splitMinutes(out: SourcePlan, x: number, y: number): void {
  const a = ceilTo(x, MINUTE)
  const b = floorTo(y, MINUTE)
  if (a >= b) {
    pushSpan(out.raw, x, y)
    return
  }
  pushSpan(out.raw, x, a)
  pushSpan(out['1m'], a, b)
  pushSpan(out.raw, b, y)
}

/** Where each bucket of the plan is read from. */
export function planSources(plan: Plan): SourcePlan {
  const out: SourcePlan = { '1h': [], '1m': [], raw: [] }
  const count = Math.ceil((plan.to - plan.from) / plan.step)
  for (let i = 0; i < count; i++) {
    const x = plan.from + i * plan.step
    const y = Math.min(x + plan.step, plan.to)
    const a = ceilTo(x, HOUR)
    const b = floorTo(y, HOUR)
    if (a >= b) {
      splitMinutes(out, x, y)
      continue
    }
    splitMinutes(out, x, a)
    pushSpan(out['1h'], a, b)
    splitMinutes(out, b, y)
  }
  return out
}

/**
 * Worth it: the raw reads cover at most a quarter of the range (a plan whose buckets are mostly
 * partial minutes, e.g. step 90 s, is cheaper on the raw path, one scan).
 */
export function worthRollups(plan: Plan, sources: SourcePlan): boolean {
  if (sources['1h'].length === 0 && sources['1m'].length === 0) return false
  const raw = sources.raw.reduce((n, r) => n + (r.to - r.from), 0)
  return raw * 4 <= plan.to - plan.from
}

/** One source's figures for a bucket (rollup rows or samples). */
export interface Part {
  i: number
  count: number
  sum: number
  min: number | null
  max: number | null
  last: number | null
  lastTs: number | null
  notGood: number
}

/** The parts of every source merged per bucket, as the raw path's rows (ascending by i). */
export function combineParts(parts: readonly Part[]): BucketRow[] {
  const byBucket = new Map<number, Part>()
  for (const p of parts) {
    const acc = byBucket.get(p.i)
    if (!acc) {
      byBucket.set(p.i, { ...p })
      continue
    }
    acc.count += p.count
    acc.sum += p.sum
    acc.notGood += p.notGood
    if (p.min !== null && (acc.min === null || p.min < acc.min)) acc.min = p.min
    if (p.max !== null && (acc.max === null || p.max > acc.max)) acc.max = p.max
    if (p.lastTs !== null && (acc.lastTs === null || p.lastTs > acc.lastTs)) {
      acc.last = p.last
      acc.lastTs = p.lastTs
    }
  }
  // As the raw path (historian/figures.ts, SQL's MIN/MAX/AVG over no value): null where no good number.
  return [...byBucket.values()]
    .sort((a, b) => a.i - b.i)
    .map((p) => ({
      i: p.i,
      count: p.count,
      min: p.min as number,
      max: p.max as number,
      avg: (p.count > 0 ? p.sum / p.count : null) as number,
      last: p.last ?? Number.NaN,
      lastTs: p.lastTs ?? Number.NaN,
      notGood: p.notGood,
    }))
}
