import type Database from 'better-sqlite3'
import { desc } from 'drizzle-orm'
import { chainHash, contentOf, GENESIS, walkChain, type ChainVerdict, type StoredAuditRow } from '../audit-chain.ts'
import type { Db } from './db-type.ts'
import { auditLog } from './schema.ts'

/**
 * The audit hash chain on SQLite: the chain itself (what is hashed, how it is verified) is
 * engine-neutral (cloud/store/audit-chain.ts); here the head is read, rows appended and walked.
 * The append-only triggers stop honest mistakes; the chain shows anyone who bypassed them. A
 * writer who rewrites every later hash too is caught only against a head hash kept elsewhere:
 * `parklink cloud audit verify` prints it for that purpose.
 */
export { chainHash, contentOf, GENESIS, type ChainVerdict }

type AuditInsert = typeof auditLog.$inferInsert

/** Appends one audit row, chained to the last one. Call inside a transaction (one writer at a time). */
export function insertAuditRow(db: Pick<Db, 'select' | 'insert'>, row: AuditInsert): void {
  const last = db.select({ h: auditLog.chainHash }).from(auditLog).orderBy(desc(auditLog.id)).limit(1).get()
  db.insert(auditLog)
    .values({ ...row, chainHash: chainHash(last?.h ?? GENESIS, contentOf(row)) })
    .run()
}

type StoredRow = StoredAuditRow
const SELECT = 'SELECT id, at, actor, action, target, outcome, before, after, detail, chain_hash FROM audit_log'

/**
 * Gives the rows written before the chain existed (migration 0019) their hashes, in id order,
 * once, at open. The trigger of 0019 lets an UPDATE through only where chain_hash is NULL.
 */
export function backfillAuditChain(sqlite: Database.Database): number {
  const pending = sqlite.prepare(`${SELECT} WHERE chain_hash IS NULL ORDER BY id`).all() as StoredRow[]
  if (pending.length === 0) return 0
  const set = sqlite.prepare('UPDATE audit_log SET chain_hash = ? WHERE id = ?')
  const before = sqlite.prepare('SELECT chain_hash FROM audit_log WHERE id < ? ORDER BY id DESC LIMIT 1')
  sqlite.transaction(() => {
    let previous = (before.get(pending[0]!.id) as { chain_hash: string | null } | undefined)?.chain_hash ?? GENESIS
    for (const row of pending) {
      previous = chainHash(previous, row)
      set.run(previous, row.id)
    }
  })()
  return pending.length
}

/** Walks the whole chain in id order and reports the first row whose hash does not follow. */
export function verifyAuditChain(sqlite: Database.Database): ChainVerdict {
  return walkChain(sqlite.prepare(`${SELECT} ORDER BY id`).iterate() as IterableIterator<StoredRow>)
}
