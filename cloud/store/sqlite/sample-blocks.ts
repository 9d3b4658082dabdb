import type { Sample } from '../../../shared/wire/sample.ts'
import { encodeBlock, groupByPoint } from '../historian/block.ts'
import type { Db } from './db.ts'

/** Where a batch came from and when, as its block row keeps it. */
export interface BlockKey {
  edge: string
  outbox: string
  seq: number
  receivedAt: number
}

// -0 is stored as 0, as the REAL column of the row-per-sample store kept it.
const negativeZero = (s: Sample) => Object.is(s.value, -0)
const plainZero = (s: Sample): Sample => (negativeZero(s) ? { ...s, value: 0 } : s)

/** Where ingest puts a batch's samples, inside the batch transaction. */
export interface SampleWriter {
  write(key: BlockKey, samples: readonly Sample[]): void
}

/**
 * The historian's write side (issue 15, "a small, fixed number of statements per batch"): a
 * batch's samples become ONE block row (cloud/store/historian/block.ts), written with one
 * prepared statement inside the batch transaction. Nothing for an empty batch.
 */
export function createBlockWriter(db: Db): SampleWriter {
  const insert = db.$client.prepare(
    'INSERT INTO sample_blocks (edge, outbox, seq, received_at, min_ts, max_ts, count, data) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
  )
  return {
    write(key: BlockKey, samples: readonly Sample[]): void {
      if (samples.length === 0) return
      let min = Number.POSITIVE_INFINITY
      let max = Number.NEGATIVE_INFINITY
      for (const s of samples) {
        if (s.ts < min) min = s.ts
        if (s.ts > max) max = s.ts
      }
      const data = encodeBlock(groupByPoint(samples.some(negativeZero) ? samples.map(plainZero) : samples))
      insert.run(key.edge, key.outbox, key.seq, key.receivedAt, min, max, samples.length, data)
    },
  }
}
