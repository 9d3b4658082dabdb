import * as fs from 'node:fs'
import path from 'node:path'
import { drizzle } from 'drizzle-orm/postgres-js'
import { migrate } from 'drizzle-orm/postgres-js/migrator'
import postgres from 'postgres'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { tempDir } from '../../../test/cloud/helpers.ts'
import { startPostgres, type TestPostgres } from '../../../test/util/postgres.ts'
import { ROLLUP_WIDTHS, rollupSamples } from '../historian/rollup.ts'
import { PG_MIGRATIONS_DIR } from './db.ts'

const BACKFILL = '0007_rollups_retention'

describe('PostgreSQL migration 0007 backfills the rollups of the samples stored before it', () => {
  let server: TestPostgres
  let tmp: ReturnType<typeof tempDir>
  beforeAll(async () => {
    server = await startPostgres()
    tmp = tempDir()
  }, 120_000)
  afterAll(async () => {
    await server?.stop()
    tmp?.remove()
  })

  it('as ingest would have made them', async () => {
    // The migrations as they were before the rollups.
    const before = path.join(tmp.dir, 'migrations')
    fs.cpSync(PG_MIGRATIONS_DIR, before, { recursive: true })
    const journalFile = path.join(before, 'meta', '_journal.json')
    const journal = JSON.parse(fs.readFileSync(journalFile, 'utf8')) as { entries: Array<{ tag: string }> }
    journal.entries = journal.entries.slice(
      0,
      journal.entries.findIndex((e) => e.tag === BACKFILL),
    )
    fs.writeFileSync(journalFile, JSON.stringify(journal))

    const client = postgres(server.url, { max: 1, onnotice: () => {} })
    try {
      const db = drizzle({ client })
      await migrate(db, { migrationsFolder: before })
      const t = 1_700_000_000_000
      const list = [
        { ts: t + 1_000, value: 5, quality: 'good' },
        { ts: t + 2_000, value: -3.5, quality: 'good' },
        { ts: t + 3_000, value: null, quality: 'bad' },
        { ts: t + 61_000, value: 7, quality: 'good' },
        { ts: t + 3_600_000, value: 1, quality: 'uncertain' },
        { ts: t + 3_700_000, value: 2.25, quality: 'good' },
      ] as const
      for (const s of list)
        await client`INSERT INTO samples (edge, seq, point, ts, value, quality) VALUES ('e1', 1, 'a.p', ${s.ts}, ${s.value}, ${s.quality})`
      await migrate(db, { migrationsFolder: PG_MIGRATIONS_DIR })
      for (const [width, table] of [
        [ROLLUP_WIDTHS['1m'], 'rollups_1m'],
        [ROLLUP_WIDTHS['1h'], 'rollups_1h'],
      ] as const) {
        const rows = await client.unsafe(
          `SELECT start::float8 AS start, count, min, max, sum, last, last_ts::float8 AS last_ts, not_good FROM ${table} ORDER BY start`,
        )
        const want = rollupSamples(list as never, width).map((r) => ({
          start: r.start,
          count: r.count,
          min: r.count > 0 ? r.min : null,
          max: r.count > 0 ? r.max : null,
          sum: r.sum,
          last: r.count > 0 ? r.last : null,
          last_ts: r.count > 0 ? r.lastTs : null,
          not_good: r.notGood,
        }))
        expect(rows.map((r) => ({ ...r }))).toEqual(want)
      }
    } finally {
      await client.end({ timeout: 5 })
    }
  })
})
