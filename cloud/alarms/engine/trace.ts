import type { PointEvaluation, PointRuleState } from '../../../shared/rules/evaluate.ts'
import { isClockSkewed } from '../../../shared/rules/time-check.ts'
import type { Sample } from '../../../shared/wire/sample.ts'

export type UnevaluatedReason = 'late' | 'clock_skew' | 'replay_overlap'

/** Samples of one point in one batch the rules did not evaluate, and why (saved beside them). */
export interface TraceRecord {
  reason: UnevaluatedReason
  samples: readonly Sample[]
  /** The time of the state they would have been evaluated against. */
  evaluatedThrough: number | null
}

/**
 * Which of a point's samples in a batch the rules did not evaluate, and why (issue 14: alarm
 * evaluation never skips a sample silently); empty records are left out.
 * - `clock_skew`: its time is outside the window (shared/rules/time-check.ts);
 * - `late`: older than the state it would be evaluated against (the live state, or the replay
 *   copy for a backlog): evaluating it would replay the past on top of the present;
 * - `replay_overlap`: a backlog sample at or after the time live data took over (replay.ts).
 */
export function liveTrace(group: readonly Sample[], lastTs: number | null, evaluation: PointEvaluation): TraceRecord[] {
  const out: TraceRecord[] = []
  if (evaluation.skewed > 0)
    out.push({ reason: 'clock_skew', samples: group.filter(isClockSkewed), evaluatedThrough: lastTs })
  if (evaluation.stale > 0 && lastTs !== null)
    out.push({
      reason: 'late',
      samples: group.filter((s) => !isClockSkewed(s) && s.ts < lastTs),
      evaluatedThrough: lastTs,
    })
  return out.filter((r) => r.samples.length > 0)
}

/** A backlog group evaluated against the replay copy up to `resumeTs`. */
export function backlogTrace(
  group: readonly Sample[],
  copy: { state: PointRuleState | null; resumeTs: number },
): TraceRecord[] {
  const trusted = group.filter((s) => !isClockSkewed(s))
  const lastTs = copy.state?.lastTs ?? null
  const out: TraceRecord[] = [
    { reason: 'clock_skew', samples: group.filter(isClockSkewed), evaluatedThrough: lastTs },
    {
      reason: 'replay_overlap',
      samples: trusted.filter((s) => s.ts >= copy.resumeTs),
      evaluatedThrough: copy.resumeTs,
    },
  ]
  if (lastTs !== null)
    out.push({
      reason: 'late',
      samples: trusted.filter((s) => s.ts < Math.min(lastTs, copy.resumeTs)),
      evaluatedThrough: lastTs,
    })
  return out.filter((r) => r.samples.length > 0)
}

/** Adds the records' sample counts to a batch result's `unevaluated` (created on the first). */
export function countTrace(
  result: { unevaluated?: Record<UnevaluatedReason, number> },
  records: readonly TraceRecord[],
): void {
  for (const r of records) {
    result.unevaluated = { late: 0, clock_skew: 0, replay_overlap: 0, ...result.unevaluated }
    result.unevaluated[r.reason] += r.samples.length
  }
}

/** The sample that may become a point's latest value: the newest trusted one, else the newest. */
export function newestTrusted(group: readonly Sample[]): Sample {
  const trusted = group.filter((s) => !isClockSkewed(s))
  const from = trusted.length > 0 ? trusted : group
  return from.reduce((a, b) => (b.ts >= a.ts ? b : a))
}
