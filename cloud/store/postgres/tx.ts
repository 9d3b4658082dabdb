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
 *   takes a fresh snapshot per statement). Lock order: registry, then edges, then one edge's batches
 *   (`lockEdgeBatches`), then audit chain, then alarm writes (`LOCKS.alarmTimeline`), then alarm
 *   rows (below); never the reverse. The historian compaction's
 *   and the partition maintainer's locks are each taken alone.
 * - A read-decide-write on one row takes that row's lock instead (SELECT … FOR UPDATE): a person's
 *   step on an alarm (alarms.ts) locks that alarm's row.
 *   Alarm rows come after the advisory locks: every transaction that writes an alarm takes
 *   LOCKS.alarmTimeline before its first alarm row (saveAlarm, stepAlarm, noteAlarm), so a batch
 *   raising several alarms and a person's step never wait on each other crosswise.
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
   * Writing alarms and appending to their timeline (alarm-writes.ts lockAlarmWrites): held from a
   * transaction's first alarm write to its commit, so timeline ids commit in id order and the
   * alarm stream's resume (alarm-changes.ts, "after id N") never passes over an entry committed
   * late. After it only alarm rows are locked.
   */
  alarmTimeline: 5,
  /**
   * The historian's compaction (compaction.ts): read the blocks, merge into the hours' newest
   * chunks, delete the blocks. Taken alone (no other lock inside it), so it orders with none.
   */
  historianCompaction: 6,
} as const

/**
 * The batches of ONE edge (ingest.ts: ingestBatch, evaluateThrough): what SQLite's BEGIN IMMEDIATE
 * serialized for a batch (the stored-key check before its row, the edge's current outbox and
 * marks, its points' latest values and rule state, the replay copies), taken first in the batch
 * transaction. Keyed by the edge id's hash in a namespace of its own, so batches of different
 * edges run concurrently (two may share a key by a hash collision: then they only wait).
 */
const EDGE_BATCHES = 0x706b6c65 // 'pkle'
export async function lockEdgeBatches(tx: PgTx, edge: string): Promise<void> {
  await tx.execute(sql`select pg_advisory_xact_lock(${EDGE_BATCHES}::int, hashtext(${edge}))`)
}

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
