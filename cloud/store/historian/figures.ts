import type { Value } from '../../../shared/wire/sample.ts'
import type { BucketRow } from '../../telemetry/buckets.ts'
import type { ChunkSample } from './codec.ts'

/**
 * Bucket figures over a point's samples in the historian's order (by time, ties in arrival
 * order), exactly as the row-per-sample store computed them in SQL: over good samples with a
 * number (a boolean counts as 1/0, as its REAL column did), min/max/avg/count, the last value
 * (the last to arrive of those with the newest time, as the rollups keep it) and its time; everything else counted as
 * notGood. Only buckets holding a sample are returned, by index; bucket i is
 * [from + i·step, from + (i+1)·step); samples outside [from, to) are ignored.
 */
export interface Figures {
  i: number
  count: number
  sum: number
  min: number | null
  max: number | null
  last: number
  lastTs: number
  notGood: number
}

export function bucketFigures(
  samples: readonly ChunkSample[],
  plan: { from: number; to: number; step: number },
): BucketRow[] {
  // As SQL's MIN/MAX/AVG over no value: null (BucketRow's numbers are null for a bucket of bad samples only).
  return bucketSums(samples, plan).map(
    ({ sum, ...r }) => ({ ...r, avg: r.count > 0 ? sum / r.count : null }) as BucketRow,
  )
}

/** As bucketFigures, with the sum of the values instead of their mean (mergeable: the rollup path's parts). */
export function bucketSums(
  samples: readonly ChunkSample[],
  plan: { from: number; to: number; step: number },
): Figures[] {
  const from = Math.trunc(plan.from)
  const step = Math.trunc(plan.step)
  const rows = new Map<number, Figures>()
  for (const s of samples) {
    if (s.ts < plan.from || s.ts >= plan.to) continue
    const i = Math.trunc((s.ts - from) / step)
    let row = rows.get(i)
    if (!row) {
      row = { i, count: 0, sum: 0, min: null, max: null, last: Number.NaN, lastTs: Number.NaN, notGood: 0 }
      rows.set(i, row)
    }
    add(row, s)
  }
  return [...rows.values()].sort((a, b) => a.i - b.i)
}

function add(row: Figures, s: ChunkSample): void {
  if (s.quality !== 'good') {
    row.notGood++
    return
  }
  const v = numeric(s.value)
  if (v === null) return
  row.count++
  row.sum += v
  row.min = row.min === null || v < row.min ? v : row.min
  row.max = row.max === null || v > row.max ? v : row.max
  // The last to arrive of the newest time (a resent correction wins), as the rollups merge it.
  if (!(s.ts < row.lastTs)) {
    row.last = v
    row.lastTs = s.ts
  }
}

/** The value as the REAL column held it: numbers, booleans as 1/0; strings and null none. */
export function numeric(v: Value): number | null {
  if (typeof v === 'number') return v
  if (typeof v === 'boolean') return v ? 1 : 0
  return null
}
