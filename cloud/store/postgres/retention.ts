import { desc } from 'drizzle-orm'
import { RETENTION_KINDS, type RetentionCutoffs, type RetentionRun } from '../../telemetry/retention-policy.ts'
import type { PgDb } from './db.ts'
import { dropKindBefore, ensurePartitions } from './partitions.ts'
import { retentionRuns } from './schema.ts'

/**
 * The retention job's removals on PostgreSQL (cloud/telemetry/retention-job.ts): the partitions
 * brought up to date first (DEFAULT's rows moved into their periods, so old rows can go), then per
 * kind, in its own transaction with the retention_runs row that records it, the partitions wholly
 * older than its cutoff dropped (partitions.ts). What SQLite removes a row at a time
 * (cloud/store/sqlite/retention.ts), this removes a partition at a time: the same rows go, at most
 * one partition width later, and never one that SQLite would keep.
 */
export async function applyPgRetention(db: PgDb, cutoffs: RetentionCutoffs, at: number): Promise<RetentionRun[]> {
  await ensurePartitions(db.$client, at)
  const runs: RetentionRun[] = []
  for (const kind of RETENTION_KINDS) {
    const cutoff = cutoffs[kind]
    const removed = await dropKindBefore(db.$client, kind, cutoff, async (tx, n) => {
      await tx`insert into retention_runs (at, kind, cutoff, removed) values (${at}, ${kind}, ${cutoff}, ${n})`
    })
    runs.push({ at, kind, cutoff, removed })
  }
  return runs
}

export async function recentPgRetentionRuns(db: PgDb, limit: number): Promise<RetentionRun[]> {
  const rows = await db
    .select({
      at: retentionRuns.at,
      kind: retentionRuns.kind,
      cutoff: retentionRuns.cutoff,
      removed: retentionRuns.removed,
    })
    .from(retentionRuns)
    .orderBy(desc(retentionRuns.at), desc(retentionRuns.id))
    .limit(limit)
  return rows as RetentionRun[]
}
