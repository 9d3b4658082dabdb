import type { PointSamples } from './block.ts'
import type { ChunkSample } from './codec.ts'

/** A chunk's time span: one per point and hour (the unit a query reads, and retention removes). */
export const CHUNK_WIDTH_MS = 3_600_000

/**
 * Part of one point's chunk for one span, made from the blocks one compaction took: its samples
 * by time, ties in the order they arrived. A span may collect several segments (one per
 * compaction, and late data); sealing merges them into the span's one chunk.
 */
export interface Segment {
  point: string
  /** The span's start, a multiple of the width (epoch ms). */
  start: number
  samples: ChunkSample[]
}

const byTime = (a: ChunkSample, b: ChunkSample) => a.ts - b.ts

/** The blocks of a compaction (in arrival order) as one segment per point and span. */
export function planSegments(blocks: readonly (readonly PointSamples[])[], width = CHUNK_WIDTH_MS): Segment[] {
  const spans = new Map<string, Segment>()
  for (const block of blocks)
    for (const { point, samples } of block)
      for (const s of samples) {
        const start = s.ts - (s.ts % width)
        const key = `${point}\u0000${start}`
        let segment = spans.get(key)
        if (!segment) spans.set(key, (segment = { point, start, samples: [] }))
        segment.samples.push(s)
      }
  const segments = [...spans.values()]
  // Array.prototype.sort is stable: samples of equal time keep their arrival order.
  for (const segment of segments) segment.samples.sort(byTime)
  return segments.sort((a, b) => (a.point < b.point ? -1 : a.point > b.point ? 1 : a.start - b.start))
}

/** A span's segments (oldest compaction first) as its one chunk's samples, by time, ties in arrival order. */
export function sealSegments(segments: readonly (readonly ChunkSample[])[]): ChunkSample[] {
  return segments.flat().sort(byTime)
}
