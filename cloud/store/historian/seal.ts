import type { PointSamples } from './block.ts'
import { type ChunkSample, decodeChunk, encodeChunk } from './codec.ts'
import { type Segment, sealSegments } from './compact.ts'
import type { OnCorrupt } from './corrupt.ts'
import { type BlockRow, type ChunkRow, blockPoints } from './merge.ts'

/**
 * The engine-neutral steps of a compaction (issue 15): both engines take a PREFIX of the blocks
 * by id (every block up to the newest one received before the cutoff), decode them here, plan
 * one segment per point-hour (compact.ts) and merge each into its hour's newest chunk here; the
 * engine runs the statements, all in one transaction.
 */

/** The blocks' samples; a block that does not decode is reported and left where it is. */
export function decodeBlocks(
  rows: readonly BlockRow[],
  onCorrupt: OnCorrupt,
): { blocks: PointSamples[][]; ids: number[]; corrupt: number } {
  const blocks: PointSamples[][] = []
  const ids: number[] = []
  for (const row of rows) {
    const decoded = blockPoints(row, onCorrupt)
    if (!decoded) continue
    blocks.push(decoded)
    ids.push(row.id)
  }
  return { blocks, ids, corrupt: rows.length - ids.length }
}

/** The chunk a segment seals into: `replace` the existing chunk's row with it, or insert a new one. */
export interface SealedChunk {
  replace: number | null
  from: number
  to: number
  count: number
  data: Uint8Array
}

/** The segment merged into its hour's newest chunk; a damaged chunk is kept as it is (reported) and a new one started beside it. */
export function sealInto(
  segment: Segment,
  existing: Pick<ChunkRow, 'id' | 'fromTs' | 'toTs' | 'data'> | undefined,
  onCorrupt: OnCorrupt,
): SealedChunk {
  let before: ChunkSample[] | null = null
  if (existing) {
    try {
      before = decodeChunk(existing.data)
    } catch (err) {
      const { id, fromTs: from, toTs: to } = existing
      onCorrupt({ kind: 'chunk', id, point: segment.point, from, to, error: String(err) })
    }
  }
  const merged = before ? sealSegments([before, segment.samples]) : segment.samples
  return {
    replace: existing && before ? existing.id : null,
    from: (merged[0] as ChunkSample).ts,
    to: (merged.at(-1) as ChunkSample).ts,
    count: merged.length,
    data: encodeChunk(merged),
  }
}

/** What a compaction did (CompactionResult), from its segments. */
export const compactionResult = (segments: readonly Segment[], ids: readonly number[], corrupt: number) => ({
  blocks: ids.length,
  samples: segments.reduce((n, s) => n + s.samples.length, 0),
  chunks: segments.length,
  corrupt,
})

/** Nothing received before the cutoff: nothing to do. */
export const NOTHING_COMPACTED = { blocks: 0, samples: 0, chunks: 0, corrupt: 0 } as const
