import { existsSync } from 'node:fs'
import postgres from 'postgres'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startPostgres, type TestPostgres } from './postgres.ts'

/** The throwaway cluster the PostgreSQL engine's tests build on: it stores, and it survives restarts. */
describe('test/util/postgres: a throwaway PostgreSQL cluster', () => {
  let pg: TestPostgres
  let sql: postgres.Sql
  beforeAll(async () => {
    pg = await startPostgres()
    sql = postgres(pg.url, { max: 2, onnotice: () => {} })
  }, 60_000)
  afterAll(async () => {
    await sql?.end({ timeout: 2 })
    await pg?.stop()
  })

  it('takes a table, rows and reads them back (bigint epoch milliseconds intact)', async () => {
    await sql`create table samples (point text not null, ts bigint not null, value double precision not null)`
    const ts = 1_764_990_000_123
    await sql`insert into samples ${sql([
      { point: 'tk101.level', ts, value: 4.5 },
      { point: 'tk101.level', ts: ts + 1000, value: 4.6 },
    ])}`
    // postgres.js hands int8 back as text (exact beyond 2^53).
    const rows = await sql`select point, ts, value from samples order by ts`
    expect(rows.map((r) => [r.point, r.ts, r.value])).toEqual([
      ['tk101.level', String(ts), 4.5],
      ['tk101.level', String(ts + 1000), 4.6],
    ])
  })

  it('keeps committed rows across a clean restart and a crash-like one, on the same url', async () => {
    await sql`insert into samples values ('tk102.level', 1, 1.0)`
    await pg.restart('fast')
    // The server closed the pool's connections: the client notices and opens new ones.
    await expect(sql`select count(*)::int as n from samples`).resolves.toEqual([{ n: 3 }])
    await sql`insert into samples values ('tk103.level', 2, 2.0)`
    await pg.restart('immediate')
    const rows = await sql`select count(*)::int as n from samples`
    expect(rows).toEqual([{ n: 4 }])
  }, 60_000)

  it('removes everything on stop, and stop is idempotent', async () => {
    const other = await startPostgres({ database: 'other' })
    const dir = await tempDirOf(other)
    await other.stop()
    await other.stop()
    expect(existsSync(dir)).toBe(false)
    const probe = postgres(other.url, { max: 1, connect_timeout: 2, onnotice: () => {} })
    await expect(probe`select 1`).rejects.toThrow()
    await probe.end({ timeout: 1 })
  }, 60_000)
})

/** The cluster's data directory, as the server reports it (its temp dir is the parent). */
async function tempDirOf(pg: TestPostgres): Promise<string> {
  const sql = postgres(pg.url, { max: 1, onnotice: () => {} })
  try {
    const [row] = await sql`select current_setting('data_directory') as dir`
    return String(row!.dir).replace(/\/data$/, '')
  } finally {
    await sql.end({ timeout: 1 })
  }
}
