import { defaultPriorityMatrix, priorityOf, type PointClass, type Priority, type PriorityMatrix } from './priority.ts'
import {
  evaluateThreshold,
  initialThresholdState,
  type LimitKind,
  type ThresholdLimits,
  type ThresholdState,
} from './threshold.ts'
import type { Sample } from '../wire/sample.ts'
import { initialDelayState, observe, type DelayConfig, type DelayState } from './delay.ts'

/**
 * Pure over-limit evaluation of one point's samples from one batch: (rule state, samples) →
 * (rule state, alarm events). The store applies the events and persists the state in the same
 * transaction as the samples, so evaluation state survives restarts and is never ahead of or
 * behind the stored data.
 *
 * Ordering: samples are evaluated in source-time order. A sample older than the last evaluated
 * one for its point (a late resend, a backfill after an outage) is stored but NOT evaluated:
 * evaluating it would replay the past on top of the present state. Replaying history into
 * "historical alarms" is a separate feature (not built yet).
 */
export interface PointRuleState {
  v: 1
  /** Source time of the newest sample evaluated; older samples are not evaluated. */
  lastTs: number | null
  /** The RAW limit conditions (with deadband); what is raised is decided by the delays. */
  threshold: ThresholdState
  /** With on/off-delays: the filtered condition per limit kind, and the value that started it. */
  delays?: Partial<Record<LimitKind, KindDelay>>
}

type KindDelay = DelayState & { onset?: { value: number; limit: number } }

export interface RulePoint {
  id: string
  class: PointClass | null
  limits: ThresholdLimits | null
  /** The approved maintenance window covering this point at `ts`, if any (its raises are suppressed). */
  windowAt?: (ts: number) => number | null
  /** On-delay and off-delay of every limit of the point (shared/rules/delay.ts); absent: none. */
  delays?: DelayConfig
}

/** A raise the engine did not make because a maintenance window covered it. */
export interface Suppression {
  window: number
  point: string
  kind: LimitKind
  priority: Priority
  ts: number
  value: number
}

export type AlarmEvent =
  | { type: 'raise'; point: string; kind: LimitKind; priority: Priority; ts: number; value: number; limit: number }
  | { type: 'recover'; point: string; kind: LimitKind; ts: number; value: number }

export interface PointEvaluation {
  /** The state to persist, or null when nothing changed (no write needed). */
  state: PointRuleState | null
  events: AlarmEvent[]
  suppressed: Suppression[]
  evaluated: number
  stale: number
}

export type PointEvaluator = (point: RulePoint, state: PointRuleState | null, samples: readonly Sample[]) => PointEvaluation

export const initialRuleState = (): PointRuleState => ({ v: 1, lastTs: null, threshold: initialThresholdState() })

/** A point without limits and without active alarms has nothing to evaluate. */
const NO_LIMITS: ThresholdLimits = { deadband: 0 }

export function createEvaluator(matrix: PriorityMatrix = defaultPriorityMatrix): PointEvaluator {
  return (point, stored, samples) => {
    const hasActive = stored !== null && Object.keys(stored.threshold.active).length > 0
    if (point.limits === null && !hasActive) return { state: null, events: [], suppressed: [], evaluated: 0, stale: 0 }
    // Limits removed while alarms were active: evaluate with none, so they recover.
    const limits = point.limits ?? NO_LIMITS
    const pointClass = point.class ?? 'general'
    // Stable sort: equal timestamps keep batch order.
    const ordered = [...samples].sort((a, b) => a.ts - b.ts)
    let state = stored ?? initialRuleState()
    let changed = false
    let stale = 0
    let evaluated = 0
    const events: AlarmEvent[] = []
    const suppressed: Suppression[] = []
    for (const sample of ordered) {
      if (state.lastTs !== null && sample.ts < state.lastTs) {
        stale++
        continue
      }
      const next = evaluateThreshold(limits, state.threshold, sample)
      const threshold: ThresholdState = { active: { ...next.state.active } }
      if (point.delays && (point.delays.onDelayMs > 0 || point.delays.offDelayMs > 0)) {
        // The threshold decides the raw condition; the delays decide when it raises and recovers.
        const delays = { ...(state.delays ?? {}) }
        const changes: Array<{ kind: LimitKind; to: boolean; at: number; value: number; limit: number }> = []
        for (const e of next.events) if (e.type === 'raise') delays[e.kind] = { ...(delays[e.kind] ?? initialDelayState(sample.ts)), onset: { value: e.value, limit: e.limit } }
        for (const kind of ['H', 'HH', 'L', 'LL'] as const) {
          const before: KindDelay = delays[kind] ?? initialDelayState(sample.ts)
          const r = observe(point.delays, before, threshold.active[kind] !== undefined, sample.ts)
          delays[kind] = { ...r.state, ...(before.onset ? { onset: before.onset } : {}) }
          for (const c of r.changes) changes.push({ kind, to: c.to, at: c.at, value: c.to ? (before.onset?.value ?? (sample.value as number)) : (sample.value as number), limit: before.onset?.limit ?? NaN })
        }
        for (const c of changes.sort((a, b) => a.at - b.at)) {
          const priority = priorityOf(c.kind, pointClass, matrix)
          const window = c.to ? (point.windowAt?.(c.at) ?? null) : null
          if (window !== null) {
            suppressed.push({ window, point: point.id, kind: c.kind, priority, ts: c.at, value: c.value })
            continue
          }
          events.push(c.to ? { type: 'raise', point: point.id, kind: c.kind, priority, ts: c.at, value: c.value, limit: c.limit } : { type: 'recover', point: point.id, kind: c.kind, ts: c.at, value: c.value })
        }
        state = { v: 1, lastTs: sample.ts, threshold, delays }
        evaluated++
        changed = true
        continue
      }
      for (const e of next.events) {
        const priority = priorityOf(e.kind, pointClass, matrix)
        const window = e.type === 'raise' ? (point.windowAt?.(e.ts) ?? null) : null
        if (window !== null) {
          // Not raised, and not remembered as active: still beyond the limit after the window
          // ends, the next sample raises it.
          delete threshold.active[e.kind]
          suppressed.push({ window, point: point.id, kind: e.kind, priority, ts: e.ts, value: e.value })
          continue
        }
        events.push(
          e.type === 'raise'
            ? { type: 'raise', point: point.id, kind: e.kind, priority, ts: e.ts, value: e.value, limit: e.limit }
            : { type: 'recover', point: point.id, kind: e.kind, ts: e.ts, value: e.value },
        )
      }
      state = { v: 1, lastTs: sample.ts, threshold }
      evaluated++
      changed = true
    }
    return { state: changed ? state : null, events, suppressed, evaluated, stale }
  }
}

/** Parses a persisted state; anything unreadable starts fresh (logged by the caller). */
export function parseRuleState(json: unknown): PointRuleState | null {
  if (typeof json !== 'object' || json === null) return null
  const s = json as Partial<PointRuleState>
  if (s.v !== 1 || typeof s.threshold !== 'object' || s.threshold === null || typeof s.threshold.active !== 'object') return null
  return { v: 1, lastTs: typeof s.lastTs === 'number' ? s.lastTs : null, threshold: { active: { ...s.threshold.active } }, ...(typeof s.delays === 'object' && s.delays !== null ? { delays: { ...s.delays } } : {}) }
}
