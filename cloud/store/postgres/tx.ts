import { sql, type Column, type SQL } from 'drizzle-orm'
import type { PgDb } from './db.ts'

/**
 * Asynchronous transactions on PostgreSQL, the one pattern every repository here follows:
 *
 * - A write that must be all or nothing runs in `db.transaction(async (tx) => …)` (postgres.js
 *   `BEGIN … COMMIT` on one pooled connection, READ COMMITTED). Inside it every statement goes
 *   through `tx`, never `db` (another connection, outside the transaction). Helpers take a `Q`
 *   (the pool or a transaction) so they run inside the caller's transaction when given one.
 * - Read-then-write decisions that SQLite serializes with BEGIN IMMEDIATE take a transaction-level
 *   advisory lock of their aggregate first (`lock(tx, LOCKS.x)`): held until COMMIT/ROLLBACK, so
 *   the next writer's first statement after the lock sees the committed result (READ COMMITTED
 *   takes a fresh snapshot per statement). Lock order: registry, then edges, then alarm rows (below),
 *   then audit chain, then alarm timeline; never the reverse.
 * - A read-decide-write on one row takes that row's lock instead (SELECT … FOR UPDATE): a person's
 *   step on an alarm (alarms.ts) locks only that alarm, so steps on other alarms go on in parallel.
 *   Alarm rows come after the advisory locks (a security event updates its alarm under the audit
 *   chain's lock), so nothing that runs while an alarm row is held (its planInTx) takes one.
 * - Listeners (alarm changes) are told after the commit, from the changes the transaction collected.
 * - A throw inside rolls back and rejects the caller's promise with the original error.
 */
export type PgTx = Parameters<Parameters<PgDb['transaction']>[0]>[0]
export type Q = PgDb | PgTx

/** Advisory lock keys, one per aggregate that serializes its writers: (namespace, key) pairs. */
const NAMESPACE = 0x706b6c6b // 'pklk'
export const LOCKS = {
  /** Appending to the audit hash chain: read the head, insert the next link. */
  auditChain: 1,
  /** Registry edits and applying the config file's registry (read, check, write). */
  registry: 2,
  /** Edges' status messages: read the stored session, then write presence (after registry when both). */
  edges: 3,
  /**
   * Creating, filling and dropping time partitions (partitions.ts, which takes it through the raw
   * client as PARTITIONS_LOCK: db.ts calls it at open, so it cannot import this module). Taken alone.
   */
  partitions: 4,
  /**
   * Appending to the alarm timeline (alarm-writes.ts appendTimeline): held from a transaction's
   * first append to its commit, so timeline ids commit in id order and the alarm stream's resume
   * (alarm-changes.ts, "after id N") never passes over an entry committed late. Last in the order:
   * nothing that appends takes another lock after it.
   */
  alarmTimeline: 5,
} as const

export async function lock(tx: PgTx, key: (typeof LOCKS)[keyof typeof LOCKS]): Promise<void> {
  await tx.execute(sql`select pg_advisory_xact_lock(${NAMESPACE}::int, ${key}::int)`)
}

/** A transaction serialized by an aggregate's lock. */
export const locked = <T>(db: PgDb, key: (typeof LOCKS)[keyof typeof LOCKS], fn: (tx: PgTx) => Promise<T>) =>
  db.transaction(async (tx) => {
    await lock(tx, key)
    return fn(tx)
  })

/**
 * Text ordered byte-wise, as SQLite orders it: a database created with a locale (en_US, zh_CN)
 * would otherwise sort ids and usernames by that locale's rules and the engines would disagree.
 */
export const byteOrder = (column: Column): SQL => sql`${column} collate "C"`
