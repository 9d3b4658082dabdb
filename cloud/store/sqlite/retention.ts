import { RETENTION_KINDS, type RetentionKind, type RetentionRun } from '../../telemetry/retention-policy.ts'
import type { RetentionRepo } from '../repos/retention.ts'
import type { Db } from './db.ts'
import { dropRawBefore } from './drop-raw.ts'
import { run, type SqliteParts } from './parts.ts'

/**
 * The retention job's deletes (cloud/telemetry/retention-job.ts): per kind, in its own
 * transaction with the retention_runs row that records it. Rollups go by whole rows (one bucket
 * of one point) by start, over the rollups_*_start index; raw samples through dropRawBefore.
 */
export function createRetentionOps(db: Db) {
  const sqlite = db.$client
  const dropRollups = {
    rollup_1m: sqlite.prepare<[number]>('DELETE FROM rollups_1m WHERE start < ?'),
    rollup_1h: sqlite.prepare<[number]>('DELETE FROM rollups_1h WHERE start < ?'),
  }
  const record = sqlite.prepare<[number, string, number, number]>(
    'INSERT INTO retention_runs (at, kind, cutoff, removed) VALUES (?, ?, ?, ?)',
  )
  const recent = sqlite.prepare<[number]>(
    'SELECT at, kind, cutoff, removed FROM retention_runs ORDER BY at DESC, id DESC LIMIT ?',
  )
  const drop = (kind: RetentionKind, cutoff: number): number =>
    kind === 'raw' ? dropRawBefore(db, cutoff) : dropRollups[kind].run(cutoff).changes

  return {
    apply(cutoffs: Record<RetentionKind, number>, at: number): RetentionRun[] {
      return RETENTION_KINDS.map((kind) =>
        sqlite.transaction(() => {
          const removed = drop(kind, cutoffs[kind])
          record.run(at, kind, cutoffs[kind], removed)
          return { at, kind, cutoff: cutoffs[kind], removed }
        })(),
      )
    },
    recent: (limit: number) => recent.all(limit) as RetentionRun[],
  }
}

export function sqliteRetentionRepo({ db }: SqliteParts): RetentionRepo {
  const ops = createRetentionOps(db)
  return {
    applyRetention: (cutoffs, at) => run(() => ops.apply(cutoffs, at)),
    listRetentionRuns: (limit) => run(() => ops.recent(limit)),
  }
}
