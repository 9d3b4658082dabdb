import { sql } from 'drizzle-orm'
import type { PgDb } from '../../cloud/store/postgres/db.ts'
import { pgRetentionRepo } from '../../cloud/store/postgres/repos.ts'
import { writeBlock } from '../../cloud/store/postgres/sample-blocks.ts'
import { rollups1h, rollups1m, sampleChunks } from '../../cloud/store/postgres/schema.ts'
import { encodeChunk } from '../../cloud/store/historian/codec.ts'
import { ROLLUP_WIDTHS, rollupSamples } from '../../cloud/store/historian/rollup.ts'
import type { Sample } from '../../shared/wire/sample.ts'
import { EDGE } from '../conformance/store/fixtures.ts'
import type { RetentionRepos } from '../conformance/store/retention.suite.ts'

/**
 * The retention section (test/conformance/store/retention.suite.ts) on PostgreSQL, whose ingest
 * and compaction are still to come: a sample goes in as the historian stores it, a block through
 * the engine's writeBlock or a sealed chunk row (the historian codec's bytes), with its rollup rows.
 */
export function pgRetentionRepos(db: PgDb): RetentionRepos {
  let seq = 0
  const put = async (s: Sample, receivedAt: number, form: 'sealed' | 'block') => {
    await db.transaction(async (tx) => {
      if (form === 'block') await writeBlock(tx, { edge: EDGE, outbox: 'outbox-ret', seq: ++seq, receivedAt }, [s])
      else {
        const data = encodeChunk([s])
        await tx.insert(sampleChunks).values({
          point: s.point,
          hour: s.ts - (s.ts % 3_600_000),
          fromTs: s.ts,
          toTs: s.ts,
          count: 1,
          data: Buffer.from(data.buffer, data.byteOffset, data.byteLength),
          receivedAt,
        })
      }
      for (const [table, width] of [
        [rollups1m, ROLLUP_WIDTHS['1m']],
        [rollups1h, ROLLUP_WIDTHS['1h']],
      ] as const)
        for (const r of rollupSamples([s], width)) await tx.insert(table).values({ point: s.point, ...r })
    })
  }
  const one = async (query: ReturnType<typeof sql>) => (await db.execute<{ n: string }>(query))[0]?.n
  return {
    retention: pgRetentionRepo(db),
    put,
    rawCount: async () =>
      Number(
        await one(
          sql`select (select coalesce(sum(count), 0) from sample_chunks) + (select coalesce(sum(count), 0) from sample_blocks) as n`,
        ),
      ),
    rollupStarts: async (width) => {
      const table = width === '1m' ? rollups1m : rollups1h
      return (await db.select({ start: table.start }).from(table).orderBy(table.start)).map((r) => r.start)
    },
  }
}
