import {
  parseRuleState,
  rulesOf,
  type PointEvaluation,
  type PointEvaluator,
  type PointRuleState,
  type PointRules,
  type RulePoint,
} from '../../../shared/rules/evaluate.ts'
import type { PointClass } from '../../../shared/rules/priority.ts'
import type { ThresholdLimits } from '../../../shared/rules/threshold.ts'
import { isClockSkewed } from '../../../shared/rules/time-check.ts'
import type { Sample } from '../../../shared/wire/sample.ts'
import { backlogTrace, liveTrace, type TraceRecord } from './trace.ts'
import type { ReplayCopy } from './replay.ts'

/** What storage knows of a point for its rules: its class, limits, rules and stored rule state (undefined: none). */
export interface PointFacts {
  class: PointClass | null
  limits: ThresholdLimits | null
  rules: PointRules | null
  state: unknown
}

/** Approved maintenance windows covering the point during the batch (ids and [from, to)). */
export type Covering = ReadonlyArray<{ id: number; from: number; to: number }>

/** The rule library's view of a point (shared/rules/evaluate.ts). */
export function rulePointOf(id: string, facts: PointFacts | null, covering: Covering | undefined): RulePoint {
  const windowAt = covering ? (ts: number) => covering.find((w) => w.from <= ts && ts < w.to)?.id ?? null : undefined
  return {
    id,
    class: facts?.class ?? null,
    limits: facts?.limits ?? null,
    ...(windowAt ? { windowAt } : {}),
    ...rulesOf(facts?.rules),
  }
}

/** A backlog group evaluated against its replay copy, up to where live data took over (replay.ts). */
export interface BacklogOutcome {
  evaluation: PointEvaluation
  /** Samples not evaluated (the evaluator's stale ones and those at or after the resume time). */
  stale: number
  trace: TraceRecord[]
}

export function evaluateBacklog(
  evaluate: PointEvaluator,
  point: RulePoint,
  copy: ReplayCopy,
  group: readonly Sample[],
): BacklogOutcome {
  const older = group.filter((x) => x.ts < copy.resumeTs)
  const evaluation = evaluate(point, copy.state, older)
  return { evaluation, stale: evaluation.stale + group.length - older.length, trace: backlogTrace(group, copy) }
}

/**
 * A live batch overtaking a backlog: from which sample time the point's state must be kept as it
 * is now, before the batch is evaluated (replay.ts); null: no copy (not live, or nothing to replay).
 */
export function liveSnapshot(
  point: RulePoint,
  facts: PointFacts | null,
  group: readonly Sample[],
  live: boolean,
): { firstTs: number } | null {
  // A point with no rules and no rule state has nothing to replay: no copy.
  const judged = point.limits !== null || facts?.rules != null || (facts?.state ?? undefined) !== undefined
  // Times outside the window do not say where live data took over (nor does a group of them).
  const trusted = group.filter((x) => !isClockSkewed(x))
  return live && judged && trusted.length > 0 ? { firstTs: Math.min(...trusted.map((x) => x.ts)) } : null
}

/** A group evaluated against the point's live state. */
export interface LiveOutcome {
  evaluation: PointEvaluation
  /** The stored state could not be read: evaluation started fresh. */
  unreadable: boolean
  trace: TraceRecord[]
}

export function evaluateLive(
  evaluate: PointEvaluator,
  point: RulePoint,
  facts: PointFacts | null,
  group: readonly Sample[],
): LiveOutcome {
  const storedJson = facts?.state ?? undefined
  const stored: PointRuleState | null = storedJson === undefined ? null : parseRuleState(storedJson)
  const evaluation = evaluate(point, stored, group)
  return {
    evaluation,
    unreadable: storedJson !== undefined && stored === null,
    trace: liveTrace(group, stored?.lastTs ?? null, evaluation),
  }
}

/**
 * How a batch is evaluated: in order (the next of its outbox) now; ahead of a gap, live data now
 * (it overtook a backlog) and replayed backlog later, in seq order (`deferred`). `historical`:
 * its alarm changes are history, by the cloud's verdict when it has one, else the edge's mark.
 */
export function batchMode(
  inOrder: boolean,
  edgeHistorical: boolean | undefined,
  cloudVerdict: boolean | undefined,
): { live: boolean; deferred: boolean; historical: boolean } {
  const live = !inOrder && !edgeHistorical
  return { live, deferred: !inOrder && !live, historical: cloudVerdict ?? edgeHistorical ?? false }
}

/** Samples grouped by point, batch order kept within each group. */
export function groupByPoint(list: readonly Sample[]): Map<string, Sample[]> {
  const groups = new Map<string, Sample[]>()
  for (const s of list) {
    const g = groups.get(s.point)
    if (g) g.push(s)
    else groups.set(s.point, [s])
  }
  return groups
}
