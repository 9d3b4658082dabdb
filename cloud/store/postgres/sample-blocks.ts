import type { Sample } from '../../../shared/wire/sample.ts'
import { type BlockKey, blockRowOf } from '../historian/block-row.ts'
import { sampleBlocks } from './schema.ts'
import type { Q } from './tx.ts'

export type { BlockKey as PgBlockKey }

/**
 * The historian's write side on PostgreSQL (issue 15): a batch's samples become ONE
 * sample_blocks row in the historian's own encoding (the bytes SQLite stores), one INSERT inside
 * the caller's batch transaction. Nothing for an empty batch.
 */
export async function writeBlock(q: Q, key: BlockKey, samples: readonly Sample[]): Promise<void> {
  const row = blockRowOf(samples)
  if (!row) return
  const data = Buffer.from(row.data.buffer, row.data.byteOffset, row.data.byteLength)
  const { edge, outbox, seq, receivedAt } = key
  await q
    .insert(sampleBlocks)
    .values({ edge, outbox, seq, receivedAt, minTs: row.minTs, maxTs: row.maxTs, count: row.count, data })
}
