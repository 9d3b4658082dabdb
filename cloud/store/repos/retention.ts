import type { RetentionCutoffs, RetentionRun } from '../../telemetry/retention-policy.ts'

/** Retention (issue 15): whole rollup buckets and raw samples older than their kind's cutoff removed, and each run recorded. */
export interface RetentionRepo {
  /** Removes what is older than each kind's cutoff, one kind at a time; returns (and records) what went. */
  applyRetention(cutoffs: RetentionCutoffs, at: number): Promise<RetentionRun[]>
  /** The newest recorded runs, newest first. */
  listRetentionRuns(limit: number): Promise<RetentionRun[]>
}
