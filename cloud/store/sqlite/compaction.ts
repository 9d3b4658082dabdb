import type { ChunkRow, BlockRow } from '../historian/merge.ts'
import { planSegments, type Segment } from '../historian/compact.ts'
import { NOTHING_COMPACTED, compactionResult, decodeBlocks, sealInto } from '../historian/seal.ts'
import type { CompactionResult } from '../store.ts'
import type { OnCorrupt } from './corrupt.ts'
import type { Db } from './db.ts'

/**
 * The historian's compaction (issue 15): blocks (one per stored batch) become per-point hourly
 * chunks. It takes a PREFIX of the blocks by id (every block up to the newest one received
 * before the cutoff), so what stays a block always arrived after what is sealed: readers
 * (historian/merge.ts) then see one order, by time and ties in arrival order, whatever was
 * compacted. Each point-hour merges into its newest chunk (historian/seal.ts). All of it in ONE
 * transaction: a crash leaves the blocks, never both or neither.
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

  function seal(segment: Segment, receivedAt: number): void {
    const c = sealInto(segment, newestChunk.get(segment.point, segment.start), onCorrupt)
    if (c.replace !== null) updateChunk.run(c.from, c.to, c.count, c.data, receivedAt, c.replace)
    else insertChunk.run(segment.point, segment.start, c.from, c.to, c.count, c.data, receivedAt)
  }

  return {
    /** Seals every block up to the newest one received before `receivedBefore` (epoch ms). */
    compact(receivedBefore: number): CompactionResult {
      return db.transaction(
        () => {
          const last = lastBefore.get(receivedBefore)?.id ?? null
          if (last === null) return { ...NOTHING_COMPACTED }
          const { blocks, ids, corrupt } = decodeBlocks(blocksThrough.all(last), onCorrupt)
          const segments = planSegments(blocks)
          // The round's newest arrival for every chunk it touches (conservative: retention keeps longer, never shorter).
          const arrived = newestArrival.get(last)?.at ?? receivedBefore
          for (const segment of segments) seal(segment, arrived)
          for (const id of ids) deleteBlock.run(id)
          return compactionResult(segments, ids, corrupt)
        },
        { behavior: 'immediate' },
      )
    },
  }
}

export type Compaction = ReturnType<typeof createCompaction>
