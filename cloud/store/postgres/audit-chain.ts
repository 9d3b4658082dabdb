import { asc, desc, gt, sql } from 'drizzle-orm'
import { chainHash, chainWalk, contentOf, GENESIS, type AuditRow, type ChainVerdict } from '../audit-chain.ts'
import type { PgDb } from './db.ts'
import { auditLog } from './schema.ts'
import { lock, LOCKS, type PgTx } from './tx.ts'

/**
 * The audit hash chain on PostgreSQL (the chain itself is engine-neutral: cloud/store/audit-chain.ts).
 * Appends are serialized by the chain's advisory lock: two concurrent appends cannot both read
 * the same head and fork the chain (an empty log has no head row to lock with SELECT … FOR
 * UPDATE, so a row lock would not do). The lock is held to the end of the caller's transaction,
 * so identity ids follow chain order.
 */
export async function appendAudit(tx: PgTx, row: AuditRow): Promise<void> {
  await lock(tx, LOCKS.auditChain)
  const [last] = await tx.select({ h: auditLog.chainHash }).from(auditLog).orderBy(desc(auditLog.id)).limit(1)
  await tx.insert(auditLog).values({ ...row, chainHash: chainHash(last?.h ?? GENESIS, contentOf(row)) })
}

const PAGE = 1000

/** Walks the whole chain in id order, a page at a time, and reports the first row whose hash does not follow. */
export async function verifyAuditChain(db: PgDb, page = PAGE): Promise<ChainVerdict> {
  const walk = chainWalk()
  let after = 0
  for (;;) {
    const rows = await db
      .select({
        id: auditLog.id,
        at: auditLog.at,
        actor: auditLog.actor,
        action: auditLog.action,
        target: auditLog.target,
        outcome: auditLog.outcome,
        // json keeps the text written: the chain covers exactly that.
        before: sql<string | null>`${auditLog.before}::text`,
        after: sql<string | null>`${auditLog.after}::text`,
        detail: sql<string | null>`${auditLog.detail}::text`,
        chain_hash: auditLog.chainHash,
      })
      .from(auditLog)
      .where(gt(auditLog.id, after))
      .orderBy(asc(auditLog.id))
      .limit(page)
    for (const row of rows) {
      const broken = walk.step(row)
      if (broken) return broken
    }
    if (rows.length < page) return walk.end()
    after = rows.at(-1)!.id
  }
}
