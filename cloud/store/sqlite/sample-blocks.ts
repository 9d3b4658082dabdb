import type { Sample } from '../../../shared/wire/sample.ts'
import { type BlockKey, blockRowOf } from '../historian/block-row.ts'
import type { Db } from './db.ts'

export type { BlockKey }

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
      const row = blockRowOf(samples)
      if (!row) return
      insert.run(key.edge, key.outbox, key.seq, key.receivedAt, row.minTs, row.maxTs, row.count, row.data)
    },
  }
}
