import type { Sample } from '../../shared/wire/sample.ts'
import { groupByPoint } from '../alarms/engine/point.ts'
import { newestTrusted } from '../alarms/engine/trace.ts'
import { encodeValue } from './sample-values.ts'

/** One point's latest-value columns as a batch moves them (the `points` table on both engines). */
export interface LatestRow {
  id: string
  edge: string
  latestTs: number
  latestValue: number | null
  latestText: string | null
  latestQuality: string
  latestReason: string | null
  lastGoodTs: number | null
}

/**
 * The rows of a batch's latest-value upsert: per point, its newest trusted sample (a clock_skew
 * sample never pins the latest value: cloud/alarms/engine/trace.ts). Whether a row replaces the
 * stored one is the engine's upsert condition (newer, trusted, same edge).
 */
export function latestRows(edge: string, samples: readonly Sample[]): LatestRow[] {
  const rows: LatestRow[] = []
  for (const [point, group] of groupByPoint(samples)) {
    const newest = newestTrusted(group)
    const v = encodeValue(newest.value)
    rows.push({
      id: point,
      edge,
      latestTs: newest.ts,
      latestValue: v.value,
      latestText: v.text,
      latestQuality: newest.quality,
      latestReason: newest.reason ?? null,
      lastGoodTs: newest.quality === 'good' ? newest.ts : null,
    })
  }
  return rows
}
