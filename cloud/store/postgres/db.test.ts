import { sql } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ErrorCodes } from '../../../shared/errors.ts'
import { freePort } from '../../../test/util/ports.ts'
import { startPostgres, type TestPostgres } from '../../../test/util/postgres.ts'
import { openPostgres, redact, type PgDb } from './db.ts'
import { auditLog, points } from './schema.ts'

describe('PostgreSQL engine: connection and migrations (real PostgreSQL from Debian)', () => {
  let server: TestPostgres
  let db: PgDb

  beforeAll(async () => {
    server = await startPostgres()
    db = await openPostgres({ url: server.url, max: 2 })
  }, 120_000)

  afterAll(async () => {
    await db?.$client.end({ timeout: 5 })
    await server?.stop()
  })

  it('creates every table of the schema, and opening again is a no-op', async () => {
    const rows = await db.execute<{ n: number }>(
      sql`select count(*)::int as n from information_schema.tables where table_schema = 'public'`,
    )
    expect(rows[0]?.n).toBeGreaterThanOrEqual(27)
    const again = await openPostgres({ url: server.url, max: 1 })
    await again.$client.end({ timeout: 5 })
  })

  it('keeps epoch milliseconds past 2^31 exact, as numbers', async () => {
    const ts = Date.UTC(2029, 0, 1, 0, 0, 0, 123)
    await db.insert(points).values({ id: 'TK-1.LEVEL', latestTs: ts })
    const [row] = await db.select({ ts: points.latestTs }).from(points)
    expect(row?.ts).toBe(ts)
  })

  it('keeps the audit log append-only: a chained row can be neither changed nor deleted', async () => {
    const [row] = await db
      .insert(auditLog)
      .values({ at: 1, actor: 'admin', action: 'user.create', outcome: 'ok' })
      .returning({ id: auditLog.id })
    // Setting the chain hash once is allowed (the chain is written right after the row) …
    await db.update(auditLog).set({ chainHash: 'ab' }).where(sql`id = ${row?.id}`)
    // … and nothing after that.
    const refusal = (query: PromiseLike<unknown>) =>
      Promise.resolve(query).then(
        () => 'accepted',
        (err: Error) => String((err.cause as Error | undefined)?.message ?? err.message),
      )
    expect(await refusal(db.update(auditLog).set({ actor: 'someone' }).where(sql`id = ${row?.id}`))).toMatch(
      /append-only/,
    )
    expect(await refusal(db.delete(auditLog))).toMatch(/append-only/)
  })

  it('says what to check, and never the password, when the database cannot be reached', async () => {
    const port = await freePort()
    const url = `postgres://parklink:s3cret@127.0.0.1:${port}/parklink`
    const failure = await openPostgres({ url, connectTimeout: 2 }).catch((err: unknown) => err)
    expect(failure).toMatchObject({ code: ErrorCodes.STORE_FAILED })
    expect(String((failure as Error).message)).not.toContain('s3cret')
    expect(redact(url)).toBe(`postgres://parklink:***@127.0.0.1:${port}/parklink`)
  })
})
