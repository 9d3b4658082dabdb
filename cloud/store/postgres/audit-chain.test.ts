import { sql } from 'drizzle-orm'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { startPostgres, type TestPostgres } from '../../../test/util/postgres.ts'
import { verifyAuditChain } from './audit-chain.ts'
import { pgAuthStore } from './auth.ts'
import { openPostgres, type PgDb } from './db.ts'

/** Issue 20 on PostgreSQL: a row changed behind the cloud's back is found, page boundaries or not. */
describe('the audit hash chain on PostgreSQL', () => {
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
  /** Another program with write access: switches the append-only triggers off and changes what it likes. */
  const tamper = async (statement: string) =>
    db.transaction(async (tx) => {
      await tx.execute(sql.raw('alter table audit_log disable trigger user'))
      await tx.execute(sql.raw(statement))
      await tx.execute(sql.raw('alter table audit_log enable trigger user'))
    })
  beforeEach(async () => {
    await tamper('truncate audit_log restart identity')
    const auth = pgAuthStore(db)
    for (let i = 0; i < 5; i++)
      await auth.audit({
        at: 1_000 + i,
        actor: 'secadmin',
        action: 'user.create',
        target: `user-${i}`,
        outcome: 'ok',
        after: { role: 'park_operator', n: i },
        detail: { from: '10.0.0.1' },
      })
  })

  it('verifies rows written through the store, in pages of any size, with the same head', async () => {
    const whole = await verifyAuditChain(db)
    expect(whole).toMatchObject({ ok: true, rows: 5, head: expect.stringMatching(/^[0-9a-f]{64}$/) })
    expect(await verifyAuditChain(db, 2)).toEqual(whole)
    expect(await verifyAuditChain(db, 5)).toEqual(whole)
  })

  it("finds a row edited behind the cloud's back, and the row after a deleted one", async () => {
    await tamper(`update audit_log set detail = '{"from":"10.9.9.9"}' where id = 3`)
    expect(await verifyAuditChain(db, 2)).toMatchObject({ ok: false, brokenAt: 3 })
    await tamper('delete from audit_log where id = 3')
    expect(await verifyAuditChain(db, 2)).toMatchObject({ ok: false, brokenAt: 4 })
  })

  it('finds JSON rewritten to an equal value in another key order (the chain covers the text written)', async () => {
    await tamper(`update audit_log set after = '{"n":1,"role":"park_operator"}' where id = 2`)
    expect(await verifyAuditChain(db)).toMatchObject({ ok: false, brokenAt: 2 })
  })
})
