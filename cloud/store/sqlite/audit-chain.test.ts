import Database from 'better-sqlite3'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { main } from '../../../deploy/cli.ts'
import { createAuthOps } from './auth.ts'
import { verifyAuditChain } from './audit-chain.ts'
import { openDatabase, type Db } from './db.ts'

/** Issue 20: the audit log as an SM3 hash chain, and a row changed behind the cloud's back found. */
describe('the audit hash chain', () => {
  let dir: string
  let file: string
  let db: Db
  const write = (n: number) => {
    const ops = createAuthOps(db)
    for (let i = 0; i < n; i++)
      ops.audit({
        at: 1_000 + i,
        actor: 'secadmin',
        action: 'user.create',
        target: `user-${i}`,
        outcome: 'ok',
        after: { role: 'operator', n: i },
        detail: { from: '10.0.0.1' },
      })
  }
  /** Another program with write access to the file: drops the triggers and changes what it likes. */
  const tamper = (sql: string) => {
    const other = new Database(file)
    other.exec(`DROP TRIGGER IF EXISTS audit_log_no_update; DROP TRIGGER IF EXISTS audit_log_no_delete; ${sql}`)
    other.close()
  }
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'parklink-audit-'))
    file = path.join(dir, 'cloud.db')
    db = openDatabase(file)
  })
  afterEach(() => {
    db.$client.close()
    rmSync(dir, { recursive: true, force: true })
  })

  it('verifies rows written through the store, and refuses an UPDATE of a chained row', () => {
    write(5)
    expect(verifyAuditChain(db.$client)).toMatchObject({
      ok: true,
      rows: 5,
      head: expect.stringMatching(/^[0-9a-f]{64}$/),
    })
    expect(() => db.$client.exec("UPDATE audit_log SET actor = 'x' WHERE id = 1")).toThrow(/append-only/)
  })

  it("finds a row edited behind the cloud's back, and the row after a deleted one", () => {
    write(5)
    tamper('UPDATE audit_log SET detail = \'{"from":"10.9.9.9"}\' WHERE id = 3')
    expect(verifyAuditChain(db.$client)).toMatchObject({ ok: false, brokenAt: 3 })
    tamper('DELETE FROM audit_log WHERE id = 3')
    expect(verifyAuditChain(db.$client)).toMatchObject({ ok: false, brokenAt: 4 })
  })

  it('parklink cloud audit verify: exit 0 on an intact chain, exit 1 naming the first broken row', async () => {
    write(3)
    const config = path.join(dir, 'cloud.yaml')
    writeFileSync(config, `dataDir: ${dir}\nmqtt: { url: "mqtt://127.0.0.1:1883" }\n`)
    expect(await main(['node', 'parklink', 'cloud', 'audit', 'verify', '--config', config])).toBe(0)
    tamper("UPDATE audit_log SET actor = 'nobody' WHERE id = 2")
    const errors: string[] = []
    const error = console.error
    console.error = (...a: unknown[]) => {
      errors.push(a.join(' '))
    }
    try {
      expect(await main(['node', 'parklink', 'cloud', 'audit', 'verify', '--config', config])).toBe(1)
    } finally {
      console.error = error
    }
    expect(errors[0]).toMatch(/PL_AUDIT_CHAIN_BROKEN.*breaks at row 2/)
  })

  it('gives rows written before the chain their hashes when the database is opened (backfill in code)', () => {
    write(2)
    // Rows as migration 0019 finds them: no chain hash yet.
    tamper(
      "INSERT INTO audit_log (at, actor, action, outcome) VALUES (5, 'old', 'login', 'ok'), (6, 'old', 'logout', 'ok'); UPDATE audit_log SET chain_hash = NULL",
    )
    expect(verifyAuditChain(db.$client)).toMatchObject({ ok: false, brokenAt: 1 })
    db.$client.close()
    db = openDatabase(file)
    expect(verifyAuditChain(db.$client)).toMatchObject({ ok: true, rows: 4 })
    write(1)
    expect(verifyAuditChain(db.$client)).toMatchObject({ ok: true, rows: 5 })
  })
})
