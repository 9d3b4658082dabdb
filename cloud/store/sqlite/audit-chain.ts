import { createHash } from 'node:crypto'
import type Database from 'better-sqlite3'
import { desc } from 'drizzle-orm'
import type { Db } from './db-type.ts'
import { auditLog } from './schema.ts'

/**
 * The audit log as an SM3 hash chain (issue 20; brief §7, 等保 level 3 audit protection with
 * GB/T 32905 SM3): every row carries chain_hash = SM3(predecessor's chain_hash ‖ its content), the
 * first row's predecessor being GENESIS. The append-only triggers stop honest mistakes; the chain
 * shows anyone who bypassed them (an edited, deleted or inserted row breaks the link at that row,
 * or at the next one). A writer who rewrites every later hash too is caught only against a head
 * hash kept elsewhere: `parklink cloud audit verify` prints it for that purpose.
 */
export const GENESIS = '0'.repeat(64)

type AuditInsert = typeof auditLog.$inferInsert
/** The stored form of a row's content: JSON columns as the text SQLite holds (drizzle's json mode is JSON.stringify). */
export interface AuditContent {
  at: number
  actor: string
  action: string
  target: string | null
  outcome: string
  before: string | null
  after: string | null
  detail: string | null
}

const json = (v: unknown): string | null => (v === null || v === undefined ? null : JSON.stringify(v))
export const contentOf = (r: AuditInsert): AuditContent => ({
  at: r.at,
  actor: r.actor,
  action: r.action,
  target: r.target ?? null,
  outcome: r.outcome,
  before: json(r.before),
  after: json(r.after),
  detail: json(r.detail),
})

export function chainHash(previous: string, c: AuditContent): string {
  const content = JSON.stringify([c.at, c.actor, c.action, c.target, c.outcome, c.before, c.after, c.detail])
  return createHash('sm3').update(previous, 'utf8').update('\n').update(content, 'utf8').digest('hex')
}

/** Appends one audit row, chained to the last one. Call inside a transaction (one writer at a time). */
export function insertAuditRow(db: Pick<Db, 'select' | 'insert'>, row: AuditInsert): void {
  const last = db.select({ h: auditLog.chainHash }).from(auditLog).orderBy(desc(auditLog.id)).limit(1).get()
  db.insert(auditLog)
    .values({ ...row, chainHash: chainHash(last?.h ?? GENESIS, contentOf(row)) })
    .run()
}

interface StoredRow extends AuditContent {
  id: number
  chain_hash: string | null
}
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

export type ChainVerdict =
  | { ok: true; rows: number; head: string }
  | { ok: false; rows: number; brokenAt: number; reason: string }

/** Walks the whole chain in id order and reports the first row whose hash does not follow. */
export function verifyAuditChain(sqlite: Database.Database): ChainVerdict {
  let previous = GENESIS
  let rows = 0
  for (const row of sqlite.prepare(`${SELECT} ORDER BY id`).iterate() as IterableIterator<StoredRow>) {
    rows++
    if (row.chain_hash === null)
      return { ok: false, rows, brokenAt: row.id, reason: 'the row has no chain hash (written around the chain?)' }
    if (chainHash(previous, row) !== row.chain_hash) {
      return {
        ok: false,
        rows,
        brokenAt: row.id,
        reason:
          'its hash does not match its content and its predecessor: this row was changed, or one before it deleted or inserted',
      }
    }
    previous = row.chain_hash
  }
  return { ok: true, rows, head: previous }
}
