import { sql } from 'drizzle-orm'
import type { Sample } from '../../../shared/wire/sample.ts'
import { ROLLUP_WIDTHS } from '../historian/rollup.ts'
import { rollupRows } from '../rollup-rows.ts'
import { inChunks } from './chunks.ts'
import { rollups1h, rollups1m } from './schema.ts'
import type { Q } from './tx.ts'

type Table = typeof rollups1m | typeof rollups1h

/**
 * Merges a batch into one rollup table with one multi-row upsert (as sqlite/rollups.ts): late and
 * out-of-order samples merge, sums add up, min/max widen, last is the newest by time.
 */
async function merge(q: Q, table: Table, name: string, samples: readonly Sample[], width: number): Promise<void> {
  const newer = `excluded.last_ts IS NOT NULL AND (${name}.last_ts IS NULL OR excluded.last_ts >= ${name}.last_ts)`
  await inChunks(rollupRows(samples, width), 9, (rows) =>
    q
      .insert(table)
      .values(rows)
      .onConflictDoUpdate({
        target: [table.point, table.start],
        set: {
          count: sql.raw(`${name}.count + excluded.count`),
          // least/greatest skip NULLs: a bucket with no numeric sample keeps the other side's.
          min: sql.raw(`least(${name}.min, excluded.min)`),
          max: sql.raw(`greatest(${name}.max, excluded.max)`),
          sum: sql.raw(`${name}.sum + excluded.sum`),
          last: sql.raw(`CASE WHEN ${newer} THEN excluded.last ELSE ${name}.last END`),
          lastTs: sql.raw(`CASE WHEN ${newer} THEN excluded.last_ts ELSE ${name}.last_ts END`),
          notGood: sql.raw(`${name}.not_good + excluded.not_good`),
        },
      }),
  )
}

/** The 1-min and 1-h rollups of a batch, in its transaction: one statement each (issue 15). */
export async function mergeRollups(q: Q, samples: readonly Sample[]): Promise<void> {
  if (samples.length === 0) return
  await merge(q, rollups1m, 'rollups_1m', samples, ROLLUP_WIDTHS['1m'])
  await merge(q, rollups1h, 'rollups_1h', samples, ROLLUP_WIDTHS['1h'])
}
