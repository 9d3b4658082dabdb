import type { Sample } from '../../../shared/wire/sample.ts'
import { encodeBlock, groupByPoint } from '../historian/block.ts'
import { sampleBlocks } from './schema.ts'
import type { Q } from './tx.ts'

/** Where a batch came from and when, as its block row keeps it (as SQLite's BlockKey). */
export interface PgBlockKey {
  edge: string
  outbox: string
  seq: number
  receivedAt: number
}

// -0 is stored as 0, as SQLite's writer does (cloud/store/sqlite/sample-blocks.ts).
const negativeZero = (s: Sample) => Object.is(s.value, -0)
const plainZero = (s: Sample): Sample => (negativeZero(s) ? { ...s, value: 0 } : s)

/**
 * The historian's write side on PostgreSQL (issue 15): a batch's samples become ONE
 * sample_blocks row in the historian's own encoding (cloud/store/historian/block.ts, the bytes
 * SQLite stores), one INSERT inside the caller's batch transaction. Nothing for an empty batch.
 */
export async function writeBlock(q: Q, key: PgBlockKey, samples: readonly Sample[]): Promise<void> {
  if (samples.length === 0) return
  let min = Number.POSITIVE_INFINITY
  let max = Number.NEGATIVE_INFINITY
  for (const s of samples) {
    if (s.ts < min) min = s.ts
    if (s.ts > max) max = s.ts
  }
  const data = encodeBlock(groupByPoint(samples.some(negativeZero) ? samples.map(plainZero) : samples))
  await q.insert(sampleBlocks).values({
    edge: key.edge,
    outbox: key.outbox,
    seq: key.seq,
    receivedAt: key.receivedAt,
    minTs: min,
    maxTs: max,
    count: samples.length,
    data: Buffer.from(data.buffer, data.byteOffset, data.byteLength),
  })
}
