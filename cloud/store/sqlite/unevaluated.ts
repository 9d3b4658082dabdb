import type { PointEvaluation, PointRuleState } from '../../../shared/rules/evaluate.ts'
import { isClockSkewed } from '../../../shared/rules/time-check.ts'
import type { Sample } from '../../../shared/wire/sample.ts'
import type { IngestResult } from '../store.ts'
import type { createLateOps } from './late.ts'

type Where = { edge: string; seq: number; receivedAt: number }

/**
 * Which of a point's samples in a batch the rules did not evaluate, and why: the trace written
 * beside them (late.ts) and the counts that reach /api/v1/health (issue 14: alarm evaluation
 * never skips a sample silently).
 * - `clock_skew`: its time is outside the window (shared/rules/time-check.ts);
 * - `late`: older than the state it would be evaluated against (the live state, or the replay
 *   copy for a backlog): evaluating it would replay the past on top of the present;
 * - `replay_overlap`: a backlog sample at or after the time live data took over (replay.ts).
 */
export function createUnevaluatedTrace(ops: ReturnType<typeof createLateOps>) {
  const count = (result: IngestResult, reason: keyof NonNullable<IngestResult['unevaluated']>, n: number) => {
    if (n === 0) return
    result.unevaluated = { late: 0, clock_skew: 0, replay_overlap: 0, ...result.unevaluated }
    result.unevaluated[reason] += n
  }
  const skewedOf = (group: readonly Sample[]) => group.filter(isClockSkewed)

  return {
    /** Evaluated against the point's live state (`lastTs`: its time before this batch). */
    live(at: Where, point: string, group: readonly Sample[], lastTs: number | null, evaluation: PointEvaluation, result: IngestResult): void {
      if (evaluation.skewed > 0) count(result, 'clock_skew', ops.record(at, point, 'clock_skew', skewedOf(group), lastTs))
      if (evaluation.stale > 0 && lastTs !== null) count(result, 'late', ops.record(at, point, 'late', group.filter((s) => !isClockSkewed(s) && s.ts < lastTs), lastTs))
    },

    /** A backlog group evaluated against the replay copy up to `resumeTs`. */
    backlog(at: Where, point: string, group: readonly Sample[], copy: { state: PointRuleState | null; resumeTs: number }, result: IngestResult): void {
      const skewed = skewedOf(group)
      const trusted = group.filter((s) => !isClockSkewed(s))
      const lastTs = copy.state?.lastTs ?? null
      count(result, 'clock_skew', ops.record(at, point, 'clock_skew', skewed, lastTs))
      count(result, 'replay_overlap', ops.record(at, point, 'replay_overlap', trusted.filter((s) => s.ts >= copy.resumeTs), copy.resumeTs))
      if (lastTs !== null) count(result, 'late', ops.record(at, point, 'late', trusted.filter((s) => s.ts < Math.min(lastTs, copy.resumeTs)), lastTs))
    },
  }
}

/** The sample that may become a point's latest value: the newest trusted one, else the newest. */
export function newestTrusted(group: readonly Sample[]): Sample {
  const trusted = group.filter((s) => !isClockSkewed(s))
  const from = trusted.length > 0 ? trusted : group
  return from.reduce((a, b) => (b.ts >= a.ts ? b : a))
}
