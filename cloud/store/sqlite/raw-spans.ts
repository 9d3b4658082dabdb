import { CHUNK_WIDTH_MS } from '../historian/compact.ts'
import { bucketSums } from '../historian/figures.ts'
import type { Part, Plan, Span } from '../../telemetry/rollup-plan.ts'
import type { SampleReader } from './sample-reads.ts'
import type { StoredSample } from '../store.ts'

/** The samples of the partial minutes a rollup answer needs, as parts of the plan's buckets. */
export type RawSpanReads = (point: string, plan: Plan, spans: readonly Span[]) => Part[]

/**
 * The partial minutes of a rollup answer (cloud/telemetry/rollup-plan.ts) read from the
 * historian (chunks + blocks, sample-reads.ts), with the raw path's figures (historian/figures.ts).
 * Spans in the same chunk hour are read together, so a chunk is decoded once for the spans it
 * holds; spans in other hours are read apart (a long plan reads its partial minutes' hours only).
 */
export function createRawSpanReads(reader: SampleReader): RawSpanReads {
  return (point, plan, spans) => {
    if (spans.length === 0) return []
    const samples: StoredSample[] = []
    for (const window of windowsOf(spans)) {
      const read = reader.read(point, window.from, window.to - 1)
      for (const s of read) if (window.spans.some((sp) => sp.from <= s.ts && s.ts < sp.to)) samples.push(s)
    }
    return bucketSums(samples, plan).map((r) => ({
      ...r,
      last: Number.isNaN(r.last) ? null : r.last,
      lastTs: Number.isNaN(r.lastTs) ? null : r.lastTs,
    }))
  }
}

const hourOf = (ts: number) => ts - (((ts % CHUNK_WIDTH_MS) + CHUNK_WIDTH_MS) % CHUNK_WIDTH_MS)

interface Window {
  from: number
  to: number
  spans: Span[]
}

/** Spans (half-open) grouped into read windows: one per chunk hour they start in (a span may run into the next). */
export function windowsOf(spans: readonly Span[]): Window[] {
  const sorted = [...spans].sort((a, b) => a.from - b.from)
  const out: Window[] = []
  for (const span of sorted) {
    const last = out.at(-1)
    if (last && hourOf(span.from) === hourOf(last.to - 1)) {
      last.to = Math.max(last.to, span.to)
      last.spans.push(span)
    } else out.push({ from: span.from, to: span.to, spans: [span] })
  }
  return out
}
