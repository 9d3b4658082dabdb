import { decodeBlock, decodeBlockPoint } from '../historian/block.ts'
import { type ChunkSample, decodeChunk } from '../historian/codec.ts'
import { CHUNK_WIDTH_MS } from '../historian/compact.ts'
import type { StoredSample } from '../store.ts'
import type { OnCorrupt } from './corrupt.ts'
import type { Db } from './db.ts'

/** Stop reading chunks once this many samples newer than `ts` are in hand (the rest can only come later). */
export interface Enough {
  ts: number
  count: number
}

interface ChunkRow {
  id: number
  hour: number
  fromTs: number
  toTs: number
  data: Buffer
}
interface BlockRow {
  id: number
  minTs: number
  maxTs: number
  data: Buffer
}

/** The chunk span holding ts, as compact.ts's planSegments assigns it. */
const hourOf = (ts: number) => ts - (ts % CHUNK_WIDTH_MS)
const byTime = (a: ChunkSample, b: ChunkSample) => a.ts - b.ts

/**
 * A point's samples as the historian holds them (issue 15): its sealed chunks (per hour) and the
 * blocks not compacted yet, merged into ONE order: by time, ties in arrival order. Chunks hold
 * only blocks older than any block still waiting (compaction.ts takes a prefix by block id), so
 * "chunks first, then blocks by id, then a stable sort by time" is that order, before and after
 * a compaction alike. A part that does not decode is reported and skipped.
 */
export function createSampleReader(db: Db, onCorrupt: OnCorrupt) {
  const chunks = db.$client.prepare<[string, number, number], ChunkRow>(
    'SELECT id, hour, from_ts AS fromTs, to_ts AS toTs, data FROM sample_chunks WHERE point = ? AND hour >= ? AND hour <= ? ORDER BY hour, id',
  )
  const blocks = db.$client.prepare<[number, number], BlockRow>(
    'SELECT id, min_ts AS minTs, max_ts AS maxTs, data FROM sample_blocks WHERE max_ts >= ? AND min_ts <= ? ORDER BY id',
  )

  function chunkSamples(point: string, row: ChunkRow): ChunkSample[] {
    try {
      return decodeChunk(row.data)
    } catch (err) {
      onCorrupt({ kind: 'chunk', id: row.id, point, from: row.fromTs, to: row.toTs, error: String(err) })
      return []
    }
  }

  function blockSamples(point: string, row: BlockRow): ChunkSample[] {
    try {
      return decodeBlockPoint(row.data, point)
    } catch (err) {
      onCorrupt({ kind: 'block', id: row.id, point: null, from: row.minTs, to: row.maxTs, error: String(err) })
      return []
    }
  }

  /** Sealed samples of [from, to], hour by hour; stops at an hour boundary once `enough` holds. */
  function sealed(point: string, from: number, to: number, enough?: Enough): ChunkSample[] {
    const out: ChunkSample[] = []
    let newer = 0
    let hour: number | null = null
    for (const row of chunks.iterate(point, hourOf(from), hourOf(to))) {
      if (row.hour !== hour && enough && newer >= enough.count) break
      hour = row.hour
      if (row.toTs < from || row.fromTs > to) continue
      for (const s of chunkSamples(point, row)) {
        if (s.ts < from || s.ts > to) continue
        out.push(s)
        if (enough && s.ts > enough.ts) newer++
      }
    }
    return out
  }

  return {
    /**
     * The point's samples with from ≤ ts ≤ to in the historian's order. With `enough`, older
     * ones only are guaranteed complete: reading stops once that many newer than `enough.ts`
     * are in hand (a page's worth).
     */
    read(point: string, from: number, to: number, enough?: Enough): StoredSample[] {
      const out = sealed(point, from, to, enough)
      for (const row of blocks.iterate(from, to))
        for (const s of blockSamples(point, row)) if (s.ts >= from && s.ts <= to) out.push(s)
      return out.sort(byTime) // stable: ties keep chunk-then-block arrival order
    },

    /** As read, for many points at once: each block in range is decoded once, not once per point. */
    readPoints(points: readonly string[], from: number, to: number): Map<string, StoredSample[]> {
      const out = new Map(points.map((p) => [p, sealed(p, from, to)]))
      for (const row of blocks.iterate(from, to)) {
        let decoded: ReturnType<typeof decodeBlock>
        try {
          decoded = decodeBlock(row.data)
        } catch (err) {
          onCorrupt({ kind: 'block', id: row.id, point: null, from: row.minTs, to: row.maxTs, error: String(err) })
          continue
        }
        for (const { point, samples } of decoded) {
          const list = out.get(point)
          if (list) for (const s of samples) if (s.ts >= from && s.ts <= to) list.push(s)
        }
      }
      for (const list of out.values()) list.sort(byTime)
      return out
    },
  }
}

export type SampleReader = ReturnType<typeof createSampleReader>
