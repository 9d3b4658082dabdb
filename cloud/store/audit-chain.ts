import { createHash } from 'node:crypto'
import type { AuditEntry } from './auth-store.ts'

/**
 * The audit log as an SM3 hash chain (issue 20; brief §7, 等保 level 3 audit protection with
 * GB/T 32905 SM3), engine-neutral: every row carries chain_hash = SM3(predecessor's chain_hash ‖
 * its content), the first row's predecessor being GENESIS. Both engines compute and verify it
 * with these functions, so the same entries give the same hashes on SQLite and PostgreSQL (a log
 * moved between engines still verifies). Each engine only reads its chain head and rows.
 */
export const GENESIS = '0'.repeat(64)

/** A row's content as the chain hashes it: JSON columns as the exact text written (JSON.stringify). */
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

/** The row an entry becomes (JSON fields still as values: each engine's JSON column stringifies them). */
export interface AuditRow {
  at: number
  actor: string
  action: string
  target: string | null
  outcome: string
  before: unknown
  after: unknown
  detail: Record<string, unknown> | null
}

export const auditRowOf = (e: AuditEntry): AuditRow => ({
  at: e.at,
  actor: e.actor,
  action: e.action,
  target: e.target ?? null,
  outcome: e.outcome,
  before: e.before ?? null,
  after: e.after ?? null,
  detail: e.detail ?? null,
})

const json = (v: unknown): string | null => (v === null || v === undefined ? null : JSON.stringify(v))

/** The content of a row about to be written (drizzle's JSON columns store JSON.stringify of the value). */
export const contentOf = (r: {
  at: number
  actor: string
  action: string
  target?: string | null
  outcome: string
  before?: unknown
  after?: unknown
  detail?: unknown
}): AuditContent => ({
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

/** A stored row as the verifier reads it: content as stored text, its id and hash. */
export interface StoredAuditRow extends AuditContent {
  id: number
  chain_hash: string | null
}

export type ChainVerdict =
  | { ok: true; rows: number; head: string }
  | { ok: false; rows: number; brokenAt: number; reason: string }

/** A walk along the chain, one row at a time in id order (an engine may page through its rows). */
export function chainWalk(): { step(row: StoredAuditRow): ChainVerdict | null; end(): ChainVerdict } {
  let previous = GENESIS
  let rows = 0
  return {
    step(row) {
      rows++
      if (row.chain_hash === null)
        return { ok: false, rows, brokenAt: row.id, reason: 'the row has no chain hash (written around the chain?)' }
      if (chainHash(previous, row) !== row.chain_hash)
        return {
          ok: false,
          rows,
          brokenAt: row.id,
          reason:
            'its hash does not match its content and its predecessor: this row was changed, or one before it deleted or inserted',
        }
      previous = row.chain_hash
      return null
    },
    end: () => ({ ok: true, rows, head: previous }),
  }
}

/** Walks rows in id order and reports the first one whose hash does not follow. */
export function walkChain(rows: Iterable<StoredAuditRow>): ChainVerdict {
  const walk = chainWalk()
  for (const row of rows) {
    const broken = walk.step(row)
    if (broken) return broken
  }
  return walk.end()
}
