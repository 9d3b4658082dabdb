import type { BucketRow } from '../../telemetry/buckets.ts'
import type { ChunkSample } from './codec.ts'

/** The historian's rollup widths: 1 min and 1 h (issue 15), kept per point beside the raw chunks. */
export const ROLLUP_WIDTHS = { '1m': 60_000, '1h': 3_600_000 } as const
export type RollupWidth = keyof typeof ROLLUP_WIDTHS

/**
 * One point's figures over [start, start + width): what a history bucket needs, in a form that
 * merges (sum, not average): count, sum, min, max and last of the GOOD numeric samples (booleans
 * count as 1/0, as the raw history's buckets do), and how many samples were not good.
 */
export interface Rollup {
  start: number
  count: number
  sum: number
  min: number
  max: number
  last: number
  lastTs: number
  notGood: number
}

const numeric = (s: ChunkSample): number | null =>
  typeof s.value === 'number' ? s.value : typeof s.value === 'boolean' ? (s.value ? 1 : 0) : null

/** A rollup of no sample at `start`, to add samples to. */
export const emptyRollup = (start: number): Rollup => ({
  start,
  count: 0,
  sum: 0,
  min: Number.POSITIVE_INFINITY,
  max: Number.NEGATIVE_INFINITY,
  last: Number.NaN,
  lastTs: Number.NEGATIVE_INFINITY,
  notGood: 0,
})

/** Adds one sample to its rollup (in place: the caller owns the accumulator). */
export function addSample(r: Rollup, s: ChunkSample): void {
  if (s.quality !== 'good') {
    r.notGood++
    return
  }
  const v = numeric(s)
  if (v === null) return
  r.count++
  r.sum += v
  if (v < r.min) r.min = v
  if (v > r.max) r.max = v
  if (s.ts >= r.lastTs) {
    r.last = v
    r.lastTs = s.ts
  }
}

/** Rollups of `width` (aligned to the epoch) for the samples of one point, by start, ascending. */
export function rollupSamples(samples: readonly ChunkSample[], width: number): Rollup[] {
  const byStart = new Map<number, Rollup>()
  for (const s of samples) {
    const start = s.ts - (s.ts % width)
    let r = byStart.get(start)
    if (!r) byStart.set(start, (r = emptyRollup(start)))
    addSample(r, s)
  }
  return [...byStart.values()].sort((a, b) => a.start - b.start)
}

/** Two rollups of the same span (or a finer one into a coarser one) as one, at `start`. */
export function mergeRollups(start: number, parts: readonly Rollup[]): Rollup {
  const out = emptyRollup(start)
  for (const p of parts) {
    out.count += p.count
    out.sum += p.sum
    out.notGood += p.notGood
    if (p.min < out.min) out.min = p.min
    if (p.max > out.max) out.max = p.max
    if (p.count > 0 && p.lastTs >= out.lastTs) {
      out.last = p.last
      out.lastTs = p.lastTs
    }
  }
  return out
}

/** Finer rollups merged into rollups of `width` (a multiple of theirs). */
export function coarsen(rollups: readonly Rollup[], width: number): Rollup[] {
  const groups = new Map<number, Rollup[]>()
  for (const r of rollups) {
    const start = r.start - (r.start % width)
    const group = groups.get(start)
    if (group) group.push(r)
    else groups.set(start, [r])
  }
  return [...groups].sort(([a], [b]) => a - b).map(([start, parts]) => mergeRollups(start, parts))
}

/**
 * A history bucket plan answered from rollups: possible when the plan's `from` and `step` are
 * multiples of the rollup width (every rollup then falls in exactly one bucket). The rows are
 * those of the raw path (cloud/telemetry/buckets.ts): only buckets that had samples.
 */
export function canAnswer(plan: { from: number; step: number }, width: number): boolean {
  return plan.from % width === 0 && plan.step % width === 0
}

export function bucketsFromRollups(
  rollups: readonly Rollup[],
  plan: { from: number; to: number; step: number },
): BucketRow[] {
  const byBucket = new Map<number, Rollup[]>()
  for (const r of rollups) {
    if (r.start < plan.from || r.start >= plan.to) continue
    const i = Math.floor((r.start - plan.from) / plan.step)
    const group = byBucket.get(i)
    if (group) group.push(r)
    else byBucket.set(i, [r])
  }
  return [...byBucket]
    .sort(([a], [b]) => a - b)
    .map(([i, parts]) => toRow(i, mergeRollups(plan.from + i * plan.step, parts)))
}

function toRow(i: number, r: Rollup): BucketRow {
  const has = r.count > 0
  return {
    i,
    count: r.count,
    min: has ? r.min : Number.NaN,
    max: has ? r.max : Number.NaN,
    avg: has ? r.sum / r.count : Number.NaN,
    last: has ? r.last : Number.NaN,
    lastTs: has ? r.lastTs : Number.NaN,
    notGood: r.notGood,
  }
}
