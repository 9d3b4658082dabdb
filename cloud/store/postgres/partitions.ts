import type postgres from 'postgres'
import type { RetentionKind } from '../../telemetry/retention-policy.ts'
import {
  defaultPartitionName,
  missingPeriods,
  PARTITIONED_TABLES,
  PARTITIONS,
  type PartitionedTable,
  parseBound,
  partitionName,
  type Period,
  periodOf,
  periodsAhead,
  whollyBefore,
} from './partition-plan.ts'

/**
 * The partition maintainer of the PostgreSQL historian and rollup tables (migration
 * 0012_partitions; widths and names: partition-plan.ts). Run at open (db.ts) and by the retention
 * job before it drops anything (repos.ts pgRetentionRepo):
 *
 * - creates the current and the next period's partition of each table, so inserts land in a
 *   partition and not in DEFAULT;
 * - moves whatever DEFAULT holds (rows of a period without a partition: an edge's clock far off,
 *   a backfill, the rows the migration moved in) into its period's new partition, so DEFAULT stays
 *   empty and old rows become droppable.
 *
 * Works on the raw client (all of it is DDL): db.ts calls it, so it cannot import db.ts or tx.ts.
 * Every change runs in a transaction under the advisory lock LOCKS.partitions (tx.ts), so two cloud
 * processes never create or drop the same partition at once, with a lock timeout so a long
 * query holding a table never stalls the ingest behind our queued lock: the run fails and the next one retries.
 */
type Sql = postgres.Sql | postgres.TransactionSql

/** tx.ts LOCKS.partitions in tx.ts's namespace (same numbers: partitions.test.ts checks them). */
export const PARTITIONS_LOCK = [0x706b6c6b, 4] as const
const LOCK_TIMEOUT = '10s'

const ident = (name: string) => `"${name.replaceAll('"', '""')}"`

export interface PartitionInfo extends Period {
  name: string
}

/** The range partitions of `table` now (DEFAULT apart). */
export async function listPartitions(sql: Sql, table: PartitionedTable): Promise<PartitionInfo[]> {
  const rows = await sql<{ name: string; bound: string }[]>`
    select c.relname as name, pg_get_expr(c.relpartbound, c.oid) as bound
    from pg_inherits i join pg_class c on c.oid = i.inhrelid
    where i.inhparent = ${table}::regclass`
  const out: PartitionInfo[] = []
  for (const r of rows) {
    const b = parseBound(r.bound)
    if (b?.kind === 'range') out.push({ name: r.name, from: b.from, to: b.to })
  }
  return out.sort((a, b) => a.from - b.from)
}

async function inTransaction<T>(sql: postgres.Sql, fn: (tx: postgres.TransactionSql) => Promise<T>): Promise<T> {
  return (await sql.begin(async (tx) => {
    await tx.unsafe(`set local lock_timeout = '${LOCK_TIMEOUT}'`)
    await tx`select pg_advisory_xact_lock(${PARTITIONS_LOCK[0]}::int, ${PARTITIONS_LOCK[1]}::int)`
    return fn(tx)
  })) as T
}

/** The periods DEFAULT holds rows of. */
async function periodsInDefault(tx: Sql, table: PartitionedTable): Promise<Period[]> {
  const { key, width } = PARTITIONS[table]
  const rows = await tx.unsafe<{ t: string }[]>(
    `select distinct (extract(epoch from date_trunc('${width}', to_timestamp(${ident(key)} / 1000.0) at time zone 'UTC')) * 1000)::bigint as t
     from ${ident(defaultPartitionName(table))}`,
  )
  return rows.map((r) => periodOf(Number(r.t), width))
}

/**
 * One period's partition: created empty beside the table, filled with DEFAULT's rows of that
 * period, then attached (PostgreSQL refuses a partition whose range DEFAULT still has rows of).
 */
async function createPartition(tx: Sql, table: PartitionedTable, p: Period): Promise<void> {
  const name = ident(partitionName(table, p))
  const def = ident(defaultPartitionName(table))
  const key = ident(PARTITIONS[table].key)
  await tx.unsafe(`lock table ${def} in access exclusive mode`)
  await tx.unsafe(`create table ${name} (like ${ident(table)} including defaults)`)
  await tx.unsafe(
    `with moved as (delete from ${def} where ${key} >= ${p.from} and ${key} < ${p.to} returning *)
     insert into ${name} select * from moved`,
  )
  await tx.unsafe(`alter table ${ident(table)} attach partition ${name} for values from (${p.from}) to (${p.to})`)
}

/** Makes sure every table has its current and next period's partition and an empty DEFAULT. Returns the partitions created. */
export async function ensurePartitions(sql: postgres.Sql, now: number): Promise<string[]> {
  const created: string[] = []
  for (const table of PARTITIONED_TABLES)
    await inTransaction(sql, async (tx) => {
      const wanted = [...periodsAhead(now, PARTITIONS[table].width), ...(await periodsInDefault(tx, table))]
      for (const p of missingPeriods(await listPartitions(tx, table), wanted)) {
        await createPartition(tx, table, p)
        created.push(partitionName(table, p))
      }
    })
  return created
}

/**
 * Per table: what a partition's rows count as removed (samples for raw, rows for rollups), and
 * the newest instant among them that retention must respect. Raw data goes only when both its
 * newest sample AND its newest arrival are older than the cutoff (as SQLite's drop-raw.ts): a
 * chunk of an old hour that arrived recently (an edge whose clock was set back, clock_skew) keeps
 * its whole month's partition until it arrived a full period ago too.
 */
const RETAINED: Record<PartitionedTable, { amount: string; newest: string }> = {
  sample_chunks: { amount: 'sum(count)', newest: 'greatest(to_ts, coalesce(received_at, 0))' },
  sample_blocks: { amount: 'sum(count)', newest: 'greatest(max_ts, received_at)' },
  rollups_1m: { amount: 'count(*)', newest: 'start' },
  rollups_1h: { amount: 'count(*)', newest: 'start' },
}

export const RETENTION_TABLES: Record<RetentionKind, readonly PartitionedTable[]> = {
  raw: ['sample_chunks', 'sample_blocks'],
  rollup_1m: ['rollups_1m'],
  rollup_1h: ['rollups_1h'],
}

/**
 * Drops the partitions of `table` wholly older than `cutoff` whose rows are all past it (see
 * RETAINED); the partition straddling the cutoff and DEFAULT are kept whole: nothing is deleted
 * row by row. Returns how much went (samples or rollup rows).
 */
export async function dropPartitionsBefore(tx: Sql, table: PartitionedTable, cutoff: number): Promise<number> {
  const { amount, newest } = RETAINED[table]
  let removed = 0
  for (const p of whollyBefore(await listPartitions(tx, table), cutoff)) {
    const [row] = await tx.unsafe<{ amount: string; newest: string | null }[]>(
      `select coalesce(${amount}, 0)::bigint as amount, max(${newest}) as newest from ${ident(p.name)}`,
    )
    if (row && row.newest !== null && Number(row.newest) >= cutoff) continue
    await tx.unsafe(`drop table ${ident(p.name)}`)
    removed += Number(row?.amount ?? 0)
  }
  return removed
}

/** A retention kind applied in one transaction under the partitions lock, with `record` (its retention_runs row) inside it. */
export function dropKindBefore(
  sql: postgres.Sql,
  kind: RetentionKind,
  cutoff: number,
  record: (tx: postgres.TransactionSql, removed: number) => Promise<void>,
): Promise<number> {
  return inTransaction(sql, async (tx) => {
    let removed = 0
    for (const table of RETENTION_TABLES[kind]) removed += await dropPartitionsBefore(tx, table, cutoff)
    await record(tx, removed)
    return removed
  })
}
