import { createHash } from 'node:crypto'
import * as fs from 'node:fs'
import path from 'node:path'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { openPostgres, type PgDb } from '../cloud/store/postgres/db.ts'
import { rollups1m, retentionRuns } from '../cloud/store/postgres/schema.ts'
import { ErrorCodes } from '../shared/errors.ts'
import { tempDir } from '../test/cloud/helpers.ts'
import { startPostgres, type TestPostgres } from '../test/util/postgres.ts'
import { backupPostgres, DUMP, restorePostgres, toolConnection } from './backup-postgres.ts'
import { MANIFEST } from './backup.ts'
import { checkToolVersion, parseToolMajor } from './postgres-tools.ts'

let server: TestPostgres
let db: PgDb
let tmp: ReturnType<typeof tempDir>
const T = Date.UTC(2026, 5, 15)

beforeAll(async () => {
  server = await startPostgres({ database: 'cloud' })
  db = await openPostgres({ url: server.url, max: 2 })
}, 120_000)
afterAll(async () => {
  await db?.$client.end({ timeout: 5 })
  await server?.stop()
})
beforeEach(() => void (tmp = tempDir()))
afterEach(() => tmp.remove())

const state = async () => ({
  runs: (await db.select({ kind: retentionRuns.kind }).from(retentionRuns).orderBy(retentionRuns.id)).map(
    (r) => r.kind,
  ),
  rollups: (await db.select({ start: rollups1m.start }).from(rollups1m).orderBy(rollups1m.start)).map((r) => r.start),
})
const rollup = (start: number) => ({ point: 'p', start, count: 1, sum: 1, notGood: 0 })

describe('cloud backup | restore on PostgreSQL (pg_dump -Fc, pg_restore --clean)', () => {
  it('backs up, and a restore brings that state back over later changes, partitions and all', async () => {
    await db.insert(retentionRuns).values({ at: T, kind: 'raw', cutoff: 1, removed: 2 })
    await db.insert(rollups1m).values([rollup(T), rollup(Date.UTC(2019, 0, 1))])
    const before = await state()
    const dir = path.join(tmp.dir, 'backup-1')
    const manifest = await backupPostgres({ url: server.url, to: dir, now: new Date(T) })
    expect(manifest).toMatchObject({ version: 1, engine: 'postgres', createdAt: new Date(T).toISOString() })
    expect(manifest.databases).toEqual([
      { name: DUMP, bytes: fs.statSync(path.join(dir, DUMP)).size, sm3: expect.stringMatching(/^[0-9a-f]{64}$/) },
    ])
    expect(manifest.pgDump).toBeGreaterThanOrEqual(manifest.server)
    expect(fs.statSync(path.join(dir, DUMP)).mode & 0o077).toBe(0)

    await db.insert(retentionRuns).values({ at: T + 1, kind: 'rollup_1m', cutoff: 1, removed: 0 })
    await db.delete(rollups1m)
    expect(await state()).not.toEqual(before)

    await restorePostgres({ url: server.url, from: dir })
    expect(await state()).toEqual(before)
    // The restored database still takes rows of a period with no partition (DEFAULT) and new ids.
    await db.insert(rollups1m).values(rollup(Date.UTC(2001, 0, 1)))
    await db.insert(retentionRuns).values({ at: T + 2, kind: 'raw', cutoff: 1, removed: 0 })
  })

  it('refuses a backup whose dump is not the one its manifest names, and changes nothing', async () => {
    const dir = path.join(tmp.dir, 'backup-2')
    await backupPostgres({ url: server.url, to: dir })
    await db.insert(retentionRuns).values({ at: T + 3, kind: 'raw', cutoff: 1, removed: 0 })
    const now = await state()
    fs.appendFileSync(path.join(dir, DUMP), 'x')
    await expect(restorePostgres({ url: server.url, from: dir })).rejects.toMatchObject({
      code: ErrorCodes.STORE_FAILED,
      message: expect.stringContaining('changed since the backup'),
    })
    fs.rmSync(path.join(dir, MANIFEST))
    await expect(restorePostgres({ url: server.url, from: dir })).rejects.toThrow(/no readable manifest/)
    expect(await state()).toEqual(now)
  })

  it('a damaged dump (its manifest made to match) fails the restore midway, and the database is as it was', async () => {
    const dir = path.join(tmp.dir, 'backup-3')
    await db.insert(rollups1m).values(Array.from({ length: 2000 }, (_, i) => rollup(Date.UTC(2026, 2, 1) + i * 60_000)))
    await backupPostgres({ url: server.url, to: dir })
    await db.insert(retentionRuns).values({ at: T + 4, kind: 'raw', cutoff: 1, removed: 0 })
    const now = await state()
    const dump = path.join(dir, DUMP)
    const bytes = fs.readFileSync(dump)
    fs.writeFileSync(dump, bytes.subarray(0, Math.floor(bytes.length * 0.8)))
    const manifest = JSON.parse(fs.readFileSync(path.join(dir, MANIFEST), 'utf8'))
    manifest.databases[0].sm3 = createHash('sm3').update(fs.readFileSync(dump)).digest('hex')
    fs.writeFileSync(path.join(dir, MANIFEST), JSON.stringify(manifest))
    await expect(restorePostgres({ url: server.url, from: dir })).rejects.toMatchObject({
      code: ErrorCodes.STORE_FAILED,
      message: expect.stringContaining('restore failed'),
    })
    expect(await state()).toEqual(now)
  })

  it('never overwrites a backup: a non-empty directory is refused', async () => {
    fs.writeFileSync(path.join(tmp.dir, 'old'), 'x')
    await expect(backupPostgres({ url: server.url, to: tmp.dir })).rejects.toThrow(/not empty/)
  })
})

describe('pg_dump/pg_restore: the password and the versions', () => {
  it('the password leaves the URL (the command line) for PGPASSWORD; an explicit one wins', () => {
    const fromUrl = toolConnection({ url: 'postgres://cloud:s%40cret@db.park:5432/parklink' })
    expect(fromUrl.url).toBe('postgres://cloud@db.park:5432/parklink')
    expect(fromUrl.env.PGPASSWORD).toBe('s@cret')
    const explicit = toolConnection({ url: 'postgres://cloud@db.park/parklink', password: 'from-env' })
    expect(explicit.url).not.toContain('from-env')
    expect(explicit.env.PGPASSWORD).toBe('from-env')
  })

  it("refuses a pg_dump older than the server's major version", () => {
    expect(parseToolMajor('pg_dump (PostgreSQL) 15.10 (Debian 15.10-0+deb12u1)')).toBe(15)
    expect(parseToolMajor('pg_restore (PostgreSQL) 9.6.24')).toBe(9)
    expect(parseToolMajor('something else')).toBeNull()
    expect(() => checkToolVersion('pg_dump', 16, 15)).not.toThrow()
    expect(() => checkToolVersion('pg_dump', 15, 15)).not.toThrow()
    expect(() => checkToolVersion('pg_dump', 14, 15)).toThrow(
      /pg_dump is PostgreSQL 14 but the server is PostgreSQL 15/,
    )
  })
})
