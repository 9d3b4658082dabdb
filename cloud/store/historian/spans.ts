import type { Part, Plan, Span } from '../../telemetry/rollup-plan.ts'
import type { ChunkSample } from './codec.ts'
import { CHUNK_WIDTH_MS } from './compact.ts'
import { bucketSums } from './figures.ts'

/**
 * The partial minutes of a rollup answer (cloud/telemetry/rollup-plan.ts) as the raw path's
 * figures (figures.ts), engine-neutral: ONE read of the chunk hours the spans lie in (a statement,
 * not one per span or per hour: a month into 1 000 buckets has a partial minute in every hour of
 * it), keeping only the spans' samples (codec.ts decodes no value after the last kept time and
 * makes no sample of the rest of the hour). The engine reads what `spanRead` says and hands the
 * samples to partsOfSpans.
 */
export interface SpanRead {
  /** The chunk hours (their starts) the spans lie in, ascending. */
  hours: number[]
  /** The spans' extent, both ends inclusive (as the readers' ranges). */
  from: number
  to: number
  /** Whether a sample's time lies in one of the spans. */
  keep: (ts: number) => boolean
}

const hourOf = (ts: number) => ts - (((ts % CHUNK_WIDTH_MS) + CHUNK_WIDTH_MS) % CHUNK_WIDTH_MS)

/** What the spans' samples are read from (spans non-empty, half-open, disjoint). */
export function spanRead(spans: readonly Span[]): SpanRead {
  const hours = new Set<number>()
  let from = Number.POSITIVE_INFINITY
  let to = Number.NEGATIVE_INFINITY
  for (const s of spans) {
    for (let h = hourOf(s.from); h <= s.to - 1; h += CHUNK_WIDTH_MS) hours.add(h)
    from = Math.min(from, s.from)
    to = Math.max(to, s.to - 1)
  }
  return { hours: [...hours].sort((a, b) => a - b), from, to, keep: inSpans(spans) }
}

/**
 * Whether a time lies in one of the spans (half-open): the filter a read applies as it decodes
 * (codec.ts), asked for every sample of the hours read. Times come mostly in order, so the gap
 * between two span starts that held the last time is tried first; a binary search otherwise.
 */
export function inSpans(spans: readonly Span[]): (ts: number) => boolean {
  const sorted = [...spans].sort((a, b) => a.from - b.from)
  // The span starts below and above the last time asked: sorted[at - 1].from ≤ ts < sorted[at].from.
  let at = 0
  const startOf = (i: number) =>
    i <= 0 ? Number.NEGATIVE_INFINITY : i > sorted.length ? Number.POSITIVE_INFINITY : (sorted[i - 1] as Span).from
  return (ts) => {
    if (!(startOf(at) <= ts && ts < startOf(at + 1))) {
      // The last span starting at or before ts is the only one that may hold it (spans do not overlap).
      let lo = 0
      let hi = sorted.length
      while (lo < hi) {
        const mid = (lo + hi) >>> 1
        if ((sorted[mid] as Span).from <= ts) lo = mid + 1
        else hi = mid
      }
      at = lo
    }
    const span = sorted[at - 1]
    return span !== undefined && ts < span.to
  }
}

/** The spans' samples (as spanRead's read returns them: only those it keeps) as parts of the plan's buckets. */
export function partsOfSpans(plan: Plan, samples: readonly ChunkSample[]): Part[] {
  return bucketSums(samples, plan).map((r) => ({
    ...r,
    last: Number.isNaN(r.last) ? null : r.last,
    lastTs: Number.isNaN(r.lastTs) ? null : r.lastTs,
  }))
}
