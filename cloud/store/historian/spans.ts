import type { Part, Plan, Span } from '../../telemetry/rollup-plan.ts'
import type { ChunkSample } from './codec.ts'
import { CHUNK_WIDTH_MS } from './compact.ts'
import { bucketSums } from './figures.ts'

/**
 * The partial minutes of a rollup answer (cloud/telemetry/rollup-plan.ts) as the raw path's
 * figures (figures.ts), engine-neutral: spans in the same chunk hour are read together (one
 * window), so a chunk is decoded once for the spans it holds; spans in other hours are read
 * apart (a long plan reads its partial minutes' hours only). The engine reads each window's
 * samples (from ≤ ts < to) and hands them to partsOfWindows.
 */
export interface SpanWindow {
  from: number
  to: number
  spans: Span[]
}

const hourOf = (ts: number) => ts - (((ts % CHUNK_WIDTH_MS) + CHUNK_WIDTH_MS) % CHUNK_WIDTH_MS)

/** Spans (half-open) grouped into read windows: one per chunk hour they start in (a span may run into the next). */
export function windowsOf(spans: readonly Span[]): SpanWindow[] {
  const sorted = [...spans].sort((a, b) => a.from - b.from)
  const out: SpanWindow[] = []
  for (const span of sorted) {
    const last = out.at(-1)
    if (last && hourOf(span.from) === hourOf(last.to - 1)) {
      last.to = Math.max(last.to, span.to)
      last.spans.push(span)
    } else out.push({ from: span.from, to: span.to, spans: [span] })
  }
  return out
}

/** The windows' samples (each window's as read) kept inside their spans, as parts of the plan's buckets. */
export function partsOfWindows(
  plan: Plan,
  read: ReadonlyArray<{ window: SpanWindow; samples: readonly ChunkSample[] }>,
): Part[] {
  const samples: ChunkSample[] = []
  for (const { window, samples: list } of read)
    for (const s of list) if (window.spans.some((sp) => sp.from <= s.ts && s.ts < sp.to)) samples.push(s)
  return bucketSums(samples, plan).map((r) => ({
    ...r,
    last: Number.isNaN(r.last) ? null : r.last,
    lastTs: Number.isNaN(r.lastTs) ? null : r.lastTs,
  }))
}
