import type { ChunkSample } from '../historian/codec.ts'
import {
  type BlockRow,
  type ChunkRow,
  type Enough,
  addBlockSamples,
  addBlockToPoints,
  hourOf,
  inHistorianOrder,
  keptSamples,
  sealedSamples,
} from '../historian/merge.ts'
import type { StoredSample } from '../store.ts'
import type { OnCorrupt } from './corrupt.ts'
import type { Db } from './db.ts'

export type { Enough } from '../historian/merge.ts'

/**
 * A point's samples as the historian holds them (issue 15): its sealed chunks (per hour) and the
 * blocks not compacted yet, merged into one order by historian/merge.ts (by time, ties in
 * arrival order, before and after a compaction alike); this module only fetches the rows.
 */
export function createSampleReader(db: Db, onCorrupt: OnCorrupt) {
  const chunks = db.$client.prepare<[string, number, number], ChunkRow>(
    'SELECT id, hour, from_ts AS fromTs, to_ts AS toTs, data FROM sample_chunks WHERE point = ? AND hour >= ? AND hour <= ? ORDER BY hour, id',
  )
  // The chunks of the given hours (a JSON array), as the index (point, hour) finds them.
  const chunksOfHours = db.$client.prepare<[string, string], ChunkRow>(
    'SELECT id, hour, from_ts AS fromTs, to_ts AS toTs, data FROM sample_chunks WHERE point = ? AND hour IN (SELECT value FROM json_each(?)) ORDER BY hour, id',
  )
  const blocks = db.$client.prepare<[number, number], BlockRow>(
    'SELECT id, min_ts AS minTs, max_ts AS maxTs, data FROM sample_blocks WHERE max_ts >= ? AND min_ts <= ? ORDER BY id',
  )

  /** Sealed samples of [from, to], hour by hour; stops at an hour boundary once `enough` holds. */
  function sealed(point: string, from: number, to: number, enough?: Enough): ChunkSample[] {
    const collect = sealedSamples(point, from, to, onCorrupt, enough)
    for (const row of chunks.iterate(point, hourOf(from), hourOf(to))) if (!collect.add(row)) break
    return collect.out
  }

  return {
    /**
     * The point's samples with from ≤ ts ≤ to in the historian's order. With `enough`, older
     * ones only are guaranteed complete: reading stops once that many newer than `enough.ts`
     * are in hand (a page's worth).
     */
    read(point: string, from: number, to: number, enough?: Enough): StoredSample[] {
      const out = sealed(point, from, to, enough)
      for (const row of blocks.iterate(from, to)) addBlockSamples(out, point, row, { from, to }, onCorrupt)
      return inHistorianOrder(out)
    },

    /**
     * The point's samples of [from, to] in the given chunk hours only, and only those `keep`
     * keeps, in the historian's order: the partial minutes of a rollup answer (historian/spans.ts),
     * one statement for all their hours.
     */
    readHours(
      point: string,
      hours: readonly number[],
      range: { from: number; to: number; keep: (ts: number) => boolean },
    ): StoredSample[] {
      const chunkRows = chunksOfHours.iterate(point, JSON.stringify(hours))
      return keptSamples(point, range, chunkRows, blocks.iterate(range.from, range.to), onCorrupt)
    },

    /** As read, for many points at once: each block in range is decoded once, not once per point. */
    readPoints(points: readonly string[], from: number, to: number): Map<string, StoredSample[]> {
      const out = new Map(points.map((p) => [p, sealed(p, from, to)]))
      for (const row of blocks.iterate(from, to)) addBlockToPoints(out, row, { from, to }, onCorrupt)
      for (const list of out.values()) inHistorianOrder(list)
      return out
    },
  }
}

export type SampleReader = ReturnType<typeof createSampleReader>
