import { type PointSamples, decodeBlock } from '../historian/block.ts'
import { type ChunkSample, decodeChunk, encodeChunk } from '../historian/codec.ts'
import { type Segment, planSegments, sealSegments } from '../historian/compact.ts'
import type { CompactionResult } from '../store.ts'
import type { OnCorrupt } from './corrupt.ts'
import type { Db } from './db.ts'

interface BlockRow {
  id: number
  minTs: number
  maxTs: number
  data: Buffer
}
interface ChunkRow {
  id: number
  fromTs: number
  toTs: number
  data: Buffer
}

/**
 * The historian's compaction (issue 15): blocks (one per stored batch) become per-point hourly
 * chunks. It takes a PREFIX of the blocks by id (every block up to the newest one received
 * before the cutoff), so what stays a block always arrived after what is sealed: readers
 * (sample-reads.ts) then see one order, by time and ties in arrival order, whatever was
 * compacted. Each point-hour merges into its newest chunk (decoded, merged, re-encoded). All of
 * it in ONE transaction: a crash leaves the blocks, never both or neither.
 */
export function createCompaction(db: Db, onCorrupt: OnCorrupt) {
  const sqlite = db.$client
  const lastBefore = sqlite.prepare<[number], { id: number | null }>(
    'SELECT max(id) AS id FROM sample_blocks WHERE received_at < ?',
  )
  const blocksThrough = sqlite.prepare<[number], BlockRow>(
    'SELECT id, min_ts AS minTs, max_ts AS maxTs, data FROM sample_blocks WHERE id <= ? ORDER BY id',
  )
  const newestChunk = sqlite.prepare<[string, number], ChunkRow>(
    'SELECT id, from_ts AS fromTs, to_ts AS toTs, data FROM sample_chunks WHERE point = ? AND hour = ? ORDER BY id DESC LIMIT 1',
  )
  const insertChunk = sqlite.prepare(
    'INSERT INTO sample_chunks (point, hour, from_ts, to_ts, count, data, received_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
  )
  const updateChunk = sqlite.prepare(
    'UPDATE sample_chunks SET from_ts = ?, to_ts = ?, count = ?, data = ?, received_at = max(coalesce(received_at, 0), ?) WHERE id = ?',
  )
  const newestArrival = sqlite.prepare<[number], { at: number | null }>(
    'SELECT max(received_at) AS at FROM sample_blocks WHERE id <= ?',
  )
  const deleteBlock = sqlite.prepare('DELETE FROM sample_blocks WHERE id = ?')

  /** The blocks' samples; a block that does not decode is reported and left where it is. */
  function decoded(rows: readonly BlockRow[]): { blocks: PointSamples[][]; ids: number[]; corrupt: number } {
    const blocks: PointSamples[][] = []
    const ids: number[] = []
    for (const row of rows) {
      try {
        blocks.push(decodeBlock(row.data))
        ids.push(row.id)
      } catch (err) {
        onCorrupt({ kind: 'block', id: row.id, point: null, from: row.minTs, to: row.maxTs, error: String(err) })
      }
    }
    return { blocks, ids, corrupt: rows.length - ids.length }
  }

  /** The segment merged into its hour's newest chunk; a damaged chunk is kept as it is and a new one started beside it. */
  function seal(segment: Segment, receivedAt: number): void {
    const existing = newestChunk.get(segment.point, segment.start)
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
    const from = (merged[0] as ChunkSample).ts
    const to = (merged.at(-1) as ChunkSample).ts
    const data = encodeChunk(merged)
    if (existing && before) updateChunk.run(from, to, merged.length, data, receivedAt, existing.id)
    else insertChunk.run(segment.point, segment.start, from, to, merged.length, data, receivedAt)
  }

  return {
    /** Seals every block up to the newest one received before `receivedBefore` (epoch ms). */
    compact(receivedBefore: number): CompactionResult {
      return db.transaction(
        () => {
          const last = lastBefore.get(receivedBefore)?.id ?? null
          if (last === null) return { blocks: 0, samples: 0, chunks: 0, corrupt: 0 }
          const { blocks, ids, corrupt } = decoded(blocksThrough.all(last))
          const segments = planSegments(blocks)
          // The round's newest arrival for every chunk it touches (conservative: retention keeps longer, never shorter).
          const arrived = newestArrival.get(last)?.at ?? receivedBefore
          for (const segment of segments) seal(segment, arrived)
          for (const id of ids) deleteBlock.run(id)
          const samples = segments.reduce((n, s) => n + s.samples.length, 0)
          return { blocks: ids.length, samples, chunks: segments.length, corrupt }
        },
        { behavior: 'immediate' },
      )
    },
  }
}

export type Compaction = ReturnType<typeof createCompaction>
