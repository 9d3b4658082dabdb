import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { sql } from 'drizzle-orm'
import { drizzle } from 'drizzle-orm/postgres-js'
import { migrate } from 'drizzle-orm/postgres-js/migrator'
import postgres from 'postgres'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { startPostgres, type TestPostgres } from '../../../test/util/postgres.ts'
import type { Clock } from '../../../shared/clock.ts'
import { DAY_MS } from '../../telemetry/retention-policy.ts'
import { openPostgres, PG_MIGRATIONS_DIR, type PgDb } from './db.ts'
import { PARTITIONS_LOCK, ensurePartitions, listPartitions } from './partitions.ts'
import { pgRetentionRepo } from './repos.ts'
import { rollups1m, sampleChunks } from './schema.ts'
import { LOCKS } from './tx.ts'

/** The time partitions on a real PostgreSQL (migration 0012_partitions, partitions.ts). */
let server: TestPostgres
let admin: postgres.Sql
let n = 0
const NOW = Date.UTC(2026, 5, 15, 12)
const fixed = (now: number): Clock => ({ now: () => now, setTimeout: () => 0 as never, clearTimeout: () => {} })
const opened: Array<() => Promise<void>> = []

beforeAll(async () => {
  server = await startPostgres({ database: 'partitions' })
  admin = postgres(server.url, { max: 1, onnotice: () => {} })
}, 120_000)
afterEach(async () => {
  for (const close of opened.splice(0)) await close()
})
afterAll(async () => {
  await admin?.end({ timeout: 5 })
  await server?.stop()
})

async function freshUrl(): Promise<string> {
  const name = `parts_${++n}`
  await admin.unsafe(`create database "${name}"`)
  return server.url.replace(/\/partitions$/, `/${name}`)
}
async function open(now = NOW): Promise<PgDb> {
  const db = await openPostgres({ url: await freshUrl(), max: 2, clock: fixed(now) })
  opened.push(() => db.$client.end({ timeout: 5 }))
  return db
}
const names = async (db: PgDb, table: Parameters<typeof listPartitions>[1]) =>
  (await listPartitions(db.$client, table)).map((p) => p.name)
const rowsIn = async (db: PgDb, relation: string) =>
  Number((await db.$client.unsafe<{ n: string }[]>(`select count(*) as n from "${relation}"`))[0]?.n)
const chunk = (hour: number, receivedAt: number | null) => ({
  point: 'p',
  hour,
  fromTs: hour,
  toTs: hour + 1000,
  count: 2,
  data: Buffer.from([1]),
  receivedAt,
})

describe('PostgreSQL time partitions (issue 15)', () => {
  it('at open: this and the next period of every table; the maintainer takes the documented advisory lock', async () => {
    const db = await open()
    expect(await names(db, 'sample_chunks')).toEqual(['sample_chunks_p2026_06', 'sample_chunks_p2026_07'])
    expect(await names(db, 'sample_blocks')).toEqual(['sample_blocks_p2026_06', 'sample_blocks_p2026_07'])
    expect(await names(db, 'rollups_1m')).toEqual(['rollups_1m_p2026_06', 'rollups_1m_p2026_07'])
    expect(await names(db, 'rollups_1h')).toEqual(['rollups_1h_p2026', 'rollups_1h_p2027'])
    // Opening again, later: only what is missing is added.
    expect(await ensurePartitions(db.$client, NOW + 30 * DAY_MS)).toEqual([
      'sample_chunks_p2026_08',
      'sample_blocks_p2026_08',
      'rollups_1m_p2026_08',
    ])
    expect(PARTITIONS_LOCK[1]).toBe(LOCKS.partitions)
  })

  it('a row of a period without a partition lands in DEFAULT (never refused), and moves into its own partition, key and all', async () => {
    const db = await open()
    const old = Date.UTC(2019, 2, 3, 4)
    const [row] = await db.insert(sampleChunks).values(chunk(old, old)).returning({ id: sampleChunks.id })
    expect(await rowsIn(db, 'sample_chunks_default')).toBe(1)
    expect(await ensurePartitions(db.$client, NOW)).toEqual(['sample_chunks_p2019_03'])
    expect(await rowsIn(db, 'sample_chunks_default')).toBe(0)
    expect(await db.select({ id: sampleChunks.id, hour: sampleChunks.hour }).from(sampleChunks)).toEqual([
      { id: row?.id, hour: old },
    ])
    // The identity goes on from where it was, across partitions.
    const [next] = await db.insert(sampleChunks).values(chunk(NOW, NOW)).returning({ id: sampleChunks.id })
    expect(next?.id).toBe((row?.id ?? 0) + 1)
  })

  it("the rollups' ON CONFLICT (point, start) upsert still has its unique index on the partitioned table", async () => {
    const db = await open()
    const row = { point: 'p', start: NOW - (NOW % 60_000), count: 1, sum: 2, notGood: 0 }
    for (const _ of [1, 2])
      await db
        .insert(rollups1m)
        .values(row)
        .onConflictDoUpdate({
          target: [rollups1m.point, rollups1m.start],
          set: { count: sql`rollups_1m.count + excluded.count` },
        })
    expect(await db.select({ count: rollups1m.count }).from(rollups1m)).toEqual([{ count: 2 }])
  })

  it('retention keeps the partition straddling the cutoff whole, and a month holding a recent arrival until it is a full period old', async () => {
    const db = await open()
    const retention = pgRetentionRepo(db)
    const cutoff = Date.UTC(2025, 5, 15)
    // Before the cutoff but in its month: stays (nothing is deleted row by row).
    await db.insert(rollups1m).values({ point: 'p', start: cutoff - DAY_MS, count: 1, sum: 1, notGood: 0 })
    // A month wholly before the cutoff, one chunk of it arrived after the cutoff: the month stays.
    const april = Date.UTC(2025, 3, 10)
    await db.insert(sampleChunks).values([chunk(april, april), chunk(april + 3_600_000, NOW)])
    const cutoffs = { raw: cutoff, rollup_1m: cutoff, rollup_1h: Date.UTC(2016, 0, 1) }
    expect((await retention.applyRetention(cutoffs, NOW)).map((r) => r.removed)).toEqual([0, 0, 0])
    expect(await rowsIn(db, 'rollups_1m')).toBe(1)
    expect(await names(db, 'sample_chunks')).toContain('sample_chunks_p2025_04')
    // A year later both are wholly past: the partitions go, counted by samples and rows.
    const later = { raw: NOW + DAY_MS, rollup_1m: Date.UTC(2025, 6, 1), rollup_1h: cutoffs.rollup_1h }
    expect((await retention.applyRetention(later, NOW + 365 * DAY_MS)).map((r) => r.removed)).toEqual([4, 1, 0])
    expect(await names(db, 'sample_chunks')).not.toContain('sample_chunks_p2025_04')
    expect(await rowsIn(db, 'sample_chunks')).toBe(0)
  })

  it('the migration keeps the rows of a database made before it; the maintainer then files them by period', async () => {
    const url = await freshUrl()
    const before = mkdtempSync(path.join(tmpdir(), 'parklink-migrations-'))
    try {
      cpSync(PG_MIGRATIONS_DIR, before, { recursive: true })
      const journal = path.join(before, 'meta', '_journal.json')
      const j = JSON.parse(readFileSync(journal, 'utf8')) as { entries: Array<{ tag: string }> }
      const at = j.entries.findIndex((e) => e.tag === '0012_partitions')
      writeFileSync(journal, JSON.stringify({ ...j, entries: j.entries.slice(0, at) }))
      const client = postgres(url, { max: 1, onnotice: () => {} })
      await migrate(drizzle({ client }), { migrationsFolder: before })
      const t = Date.UTC(2024, 8, 9, 10)
      await client`insert into sample_chunks (point, hour, from_ts, to_ts, count, data, received_at) values ('p', ${t}, ${t}, ${t}, 3, ${Buffer.from([1])}, ${t})`
      await client`insert into sample_blocks (edge, outbox, seq, received_at, min_ts, max_ts, count, data) values ('e', 'o', 1, ${t}, ${t}, ${t}, 3, ${Buffer.from([1])})`
      await client`insert into rollups_1h (point, start, count, sum, not_good) values ('p', ${t}, 3, 1, 0)`
      await client.end({ timeout: 5 })
    } finally {
      rmSync(before, { recursive: true, force: true })
    }
    const db = await openPostgres({ url, max: 2, clock: fixed(NOW) })
    opened.push(() => db.$client.end({ timeout: 5 }))
    expect(await rowsIn(db, 'sample_chunks_p2024_09')).toBe(1)
    expect(await rowsIn(db, 'sample_blocks_p2024_09')).toBe(1)
    expect(await rowsIn(db, 'rollups_1h_p2024')).toBe(1)
    const [next] = await db.insert(sampleChunks).values(chunk(NOW, NOW)).returning({ id: sampleChunks.id })
    expect(next?.id).toBe(2)
  })
})
