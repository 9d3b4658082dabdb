import { and, asc, desc, eq, inArray, lt, lte, max, sql } from 'drizzle-orm'
import { planSegments, type Segment } from '../historian/compact.ts'
import type { OnCorrupt } from '../historian/corrupt.ts'
import { NOTHING_COMPACTED, compactionResult, decodeBlocks, sealInto } from '../historian/seal.ts'
import type { CompactionResult } from '../repos/telemetry.ts'
import type { PgDb } from './db.ts'
import { sampleBlocks, sampleChunks } from './schema.ts'
import { LOCKS, locked, type PgTx } from './tx.ts'

const bytes = (data: Uint8Array) => Buffer.from(data.buffer, data.byteOffset, data.byteLength)

/** The segment merged into its hour's newest chunk (historian/seal.ts), in the compaction's transaction. */
async function seal(tx: PgTx, segment: Segment, receivedAt: number, onCorrupt: OnCorrupt): Promise<void> {
  const [existing] = await tx
    .select({ id: sampleChunks.id, fromTs: sampleChunks.fromTs, toTs: sampleChunks.toTs, data: sampleChunks.data })
    .from(sampleChunks)
    .where(and(eq(sampleChunks.point, segment.point), eq(sampleChunks.hour, segment.start)))
    .orderBy(desc(sampleChunks.id))
    .limit(1)
  const c = sealInto(segment, existing, onCorrupt)
  const figures = { fromTs: c.from, toTs: c.to, count: c.count, data: bytes(c.data) }
  if (c.replace === null)
    await tx.insert(sampleChunks).values({ point: segment.point, hour: segment.start, ...figures, receivedAt })
  else
    await tx
      .update(sampleChunks)
      .set({ ...figures, receivedAt: sql`greatest(coalesce(${sampleChunks.receivedAt}, 0), ${receivedAt}::bigint)` })
      .where(eq(sampleChunks.id, c.replace))
}

/**
 * The historian's compaction on PostgreSQL (issue 15), as SQLite's compaction.ts: a PREFIX of
 * the blocks by id (every block up to the newest one received before the cutoff) sealed into
 * per-point hourly chunks, then deleted; ONE transaction (a crash leaves the blocks). Two
 * compactions (two cloud processes, or the job and a manual run) would both read the same
 * blocks and seal them twice: the historianCompaction advisory lock (tx.ts) serializes them,
 * and the second then finds the blocks gone. A damaged block is reported and left in place.
 *
 * Blocks are written by batch transactions that may commit out of id order; the compaction job
 * compacts batches received minutes before now (compactAfterS), long after their transaction.
 */
export function compactSamples(db: PgDb, receivedBefore: number, onCorrupt: OnCorrupt): Promise<CompactionResult> {
  return locked(db, LOCKS.historianCompaction, async (tx) => {
    const [head] = await tx
      .select({ last: max(sampleBlocks.id) })
      .from(sampleBlocks)
      .where(lt(sampleBlocks.receivedAt, receivedBefore))
    const last = head?.last ?? null
    if (last === null) return { ...NOTHING_COMPACTED }
    const rows = await tx
      .select({ id: sampleBlocks.id, minTs: sampleBlocks.minTs, maxTs: sampleBlocks.maxTs, data: sampleBlocks.data })
      .from(sampleBlocks)
      .where(lte(sampleBlocks.id, last))
      .orderBy(asc(sampleBlocks.id))
    const { blocks, ids, corrupt } = decodeBlocks(rows, onCorrupt)
    const segments = planSegments(blocks)
    // The round's newest arrival for every chunk it touches (conservative: retention keeps longer, never shorter).
    const [newest] = await tx
      .select({ at: max(sampleBlocks.receivedAt) })
      .from(sampleBlocks)
      .where(lte(sampleBlocks.id, last))
    const arrived = newest?.at ?? receivedBefore
    for (const segment of segments) await seal(tx, segment, arrived, onCorrupt)
    for (let i = 0; i < ids.length; i += 10_000)
      await tx.delete(sampleBlocks).where(inArray(sampleBlocks.id, ids.slice(i, i + 10_000)))
    return compactionResult(segments, ids, corrupt)
  })
}
