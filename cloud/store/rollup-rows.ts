import type { Sample } from '../../shared/wire/sample.ts'
import { addSample, emptyRollup, type Rollup } from './historian/rollup.ts'

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

/**
 * A batch's rollup rows for one width: per point (in order of first appearance) and bucket (by
 * start), the point's samples added in batch order (cloud/store/historian/rollup.ts addSample):
 * the rows rollupSamples gives for each point's samples. One pass, no list or map per point for
 * the usual batch, one sample per point (a map and a sort per point were a twentieth of a batch's
 * ingest: profiled, issue 15).
 */
export function rollupRows(samples: readonly Sample[], width: number): RollupRow[] {
  const byPoint = new Map<string, PointRollups>()
  for (const s of samples) {
    const start = s.ts - (s.ts % width)
    const p = byPoint.get(s.point)
    let r: Rollup
    if (!p) byPoint.set(s.point, { last: (r = emptyRollup(start)) })
    else if (p.last.start === start) r = p.last
    else {
      p.byStart ??= new Map([[p.last.start, p.last]])
      r = p.byStart.get(start) ?? emptyRollup(start)
      p.byStart.set(start, r)
      p.last = r
    }
    addSample(r, s)
  }
  const rows: RollupRow[] = []
  for (const [point, p] of byPoint) {
    if (!p.byStart) rows.push(rowOf(point, p.last))
    else for (const r of [...p.byStart.values()].sort((a, b) => a.start - b.start)) rows.push(rowOf(point, r))
  }
  return rows
}

/** One point's rollups of a batch: the one its latest sample went to, all of them once there are two. */
interface PointRollups {
  last: Rollup
  byStart?: Map<number, Rollup>
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
