import type { Sample } from '../../shared/wire/sample.ts'
import { type Rollup, rollupSamples } from './historian/rollup.ts'

/** One rollup row a batch merges into rollups_1m or rollups_1h (the same columns on both engines). */
export interface RollupRow {
  point: string
  start: number
  count: number
  min: number | null
  max: number | null
  sum: number
  last: number | null
  lastTs: number | null
  notGood: number
}

/** A batch's rollup rows for one width: per point and bucket (cloud/store/historian/rollup.ts). */
export function rollupRows(samples: readonly Sample[], width: number): RollupRow[] {
  const byPoint = new Map<string, Sample[]>()
  for (const s of samples) {
    const list = byPoint.get(s.point)
    if (list) list.push(s)
    else byPoint.set(s.point, [s])
  }
  const rows: RollupRow[] = []
  for (const [point, list] of byPoint) for (const r of rollupSamples(list, width)) rows.push(rowOf(point, r))
  return rows
}

// A bucket of only non-numeric samples counts its not-good ones and nothing else.
const rowOf = (point: string, r: Rollup): RollupRow =>
  r.count > 0
    ? {
        point,
        start: r.start,
        count: r.count,
        min: r.min,
        max: r.max,
        sum: r.sum,
        last: r.last,
        lastTs: r.lastTs,
        notGood: r.notGood,
      }
    : { point, start: r.start, count: 0, min: null, max: null, sum: 0, last: null, lastTs: null, notGood: r.notGood }
