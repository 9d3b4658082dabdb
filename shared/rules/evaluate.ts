import { defaultPriorityMatrix, priorityOf, type PointClass, type Priority, type PriorityMatrix } from './priority.ts'
import {
  evaluateThreshold,
  initialThresholdState,
  type LimitKind,
  type ThresholdLimits,
  type ThresholdState,
} from './threshold.ts'
import type { Sample } from '../wire/sample.ts'
import { isClockSkewed } from './time-check.ts'
import { initialDelayState, observe, type DelayConfig, type DelayState } from './delay.ts'
import { evaluateRate, initialRateState, type RateConfig, type RateState } from './rate.ts'
import { ChatterConfig } from './chatter.ts'
import { anyLatched, applyLatch, parseLatchStates, type LatchStates } from './latch.ts'

/**
 * Pure over-limit evaluation of one point's samples from one batch: (rule state, samples) →
 * (rule state, alarm events). The store applies the events and persists the state in the same
 * transaction as the samples, so evaluation state survives restarts and is never ahead of or
 * behind the stored data.
 *
 * Ordering: samples are evaluated in source-time order. A sample older than the last evaluated
 * one for its point (a late resend, a backfill after an outage) is stored but NOT evaluated:
 * evaluating it would replay the past on top of the present state (the cloud replays backlogs
 * against a copy of the state, cloud/store/sqlite/replay.ts, and keeps a trace of the rest).
 * A sample marked clock_skew is not evaluated either (shared/rules/time-check.ts).
 */
export interface PointRuleState {
  v: 1
  /** Source time of the newest sample evaluated; older samples are not evaluated. */
  lastTs: number | null
  /** The RAW limit conditions (with deadband); what is raised is decided by the delays. */
  threshold: ThresholdState
  /** With on/off-delays: the filtered condition per limit kind, and the value that started it. */
  delays?: Partial<Record<LimitKind, KindDelay>>
  rate?: RateState
  /** The digital alarm is active. */
  digital?: boolean
  /** Chattering detection and latched episodes per alarm kind (shared/rules/latch.ts); absent: none. */
  chatter?: LatchStates<RuleEventKind>
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
  /** Rate-of-change alarm (shared/rules/rate.ts): raises ROC at |rate| ≥ limit. */
  roc?: RateConfig
  /** Digital state alarm: raises DIGITAL while the (boolean or 0/1) value equals alarmOn. */
  digital?: { alarmOn: boolean }
}

/** A point's rules beside its limits, as stored with the point. */
export interface PointRules {
  onDelayMs?: number
  offDelayMs?: number
  roc?: RateConfig
  digital?: { alarmOn: boolean }
}

/** The evaluator's view of stored rules. */
export function rulesOf(r: PointRules | null | undefined): Pick<RulePoint, 'delays' | 'roc' | 'digital'> {
  if (!r) return {}
  const on = r.onDelayMs ?? 0
  const off = r.offDelayMs ?? 0
  return {
    ...(on > 0 || off > 0 ? { delays: { onDelayMs: on, offDelayMs: off } } : {}),
    ...(r.roc ? { roc: r.roc } : {}),
    ...(r.digital ? { digital: r.digital } : {}),
  }
}

/** What an alarm is about: a limit, a rate of change or a digital state. */
export type RuleEventKind = LimitKind | 'ROC' | 'DIGITAL'

/** A raise the engine did not make because a maintenance window covered it. */
export interface Suppression {
  window: number
  point: string
  kind: RuleEventKind
  priority: Priority
  ts: number
  value: number
}

/**
 * Rule events. A raise that starts a latched (chattering) episode says so in `chattering`; a
 * `repeat` is a raise within a latched episode (counted on it, not a new alarm); the recovery
 * that ends a latched episode carries its final `repeats` (shared/rules/latch.ts).
 */
export type AlarmEvent =
  | {
      type: 'raise'
      point: string
      kind: RuleEventKind
      priority: Priority
      ts: number
      value: number
      limit: number
      chattering?: { raises: number; windowS: number }
    }
  | { type: 'recover'; point: string; kind: RuleEventKind; ts: number; value: number; repeats?: number }
  | { type: 'repeat'; point: string; kind: RuleEventKind; ts: number; value: number; repeats: number }

export interface PointEvaluation {
  /** The state to persist, or null when nothing changed (no write needed). */
  state: PointRuleState | null
  events: AlarmEvent[]
  suppressed: Suppression[]
  evaluated: number
  stale: number
  /** Samples marked clock_skew (shared/rules/time-check.ts): not evaluated, their time cannot be trusted. */
  skewed: number
}

export type PointEvaluator = (
  point: RulePoint,
  state: PointRuleState | null,
  samples: readonly Sample[],
) => PointEvaluation

export const initialRuleState = (): PointRuleState => ({ v: 1, lastTs: null, threshold: initialThresholdState() })

/** A point without limits and without active alarms has nothing to evaluate. */
const NO_LIMITS: ThresholdLimits = { deadband: 0 }

/** `chatter`: chattering detection and latching, the same at the edge and the cloud (defaults: 3 in 60 s, held until clear 60 s). */
export function createEvaluator(
  matrix: PriorityMatrix = defaultPriorityMatrix,
  chatter: ChatterConfig = ChatterConfig.parse({}),
): PointEvaluator {
  return (point, stored, samples) => {
    const hasActive =
      stored !== null &&
      (Object.keys(stored.threshold.active).length > 0 ||
        stored.rate?.active === true ||
        stored.digital === true ||
        anyLatched(stored.chatter))
    if (point.limits === null && !point.roc && !point.digital && !hasActive)
      return { state: null, events: [], suppressed: [], evaluated: 0, stale: 0, skewed: 0 }
    // Limits removed while alarms were active: evaluate with none, so they recover.
    const limits = point.limits ?? NO_LIMITS
    const pointClass = point.class ?? 'general'
    // Stable sort: equal timestamps keep batch order.
    const ordered = [...samples].sort((a, b) => a.ts - b.ts)
    let state = stored ?? initialRuleState()
    let changed = false
    let stale = 0
    let skewed = 0
    let evaluated = 0
    const events: AlarmEvent[] = []
    const suppressed: Suppression[] = []
    /** Times of the evaluated samples: where a latched episode's clear hold is checked. */
    const ticks: number[] = []
    for (const sample of ordered) {
      // A time outside the receiver's window would move lastTs to a year ahead (every later
      // sample then "late") or replay a far past: never evaluated, counted (issue 14).
      if (isClockSkewed(sample)) {
        skewed++
        continue
      }
      if (state.lastTs !== null && sample.ts < state.lastTs) {
        stale++
        continue
      }
      // Rate of change and digital state, beside the limits.
      const extra: Pick<PointRuleState, 'rate' | 'digital'> = {}
      const raiseOrSuppress = (kind: RuleEventKind, ts: number, value: number, limit: number) => {
        const priority = priorityOf(kind, pointClass, matrix)
        const window = point.windowAt?.(ts) ?? null
        if (window !== null) return void suppressed.push({ window, point: point.id, kind, priority, ts, value })
        events.push({ type: 'raise', point: point.id, kind, priority, ts, value, limit })
      }
      const wasRoc = state.rate?.active === true
      if (point.roc) {
        const r = evaluateRate(point.roc, state.rate ?? initialRateState(), sample)
        extra.rate = r.state
        // Six significant digits: a rate from float readings carries binary noise beyond that.
        const rate = r.rate === null ? null : Number(r.rate.toPrecision(6))
        if (rate !== null && r.state.active && !wasRoc) raiseOrSuppress('ROC', sample.ts, rate, point.roc.limit)
        if (rate !== null && !r.state.active && wasRoc)
          events.push({ type: 'recover', point: point.id, kind: 'ROC', ts: sample.ts, value: rate })
      } else if (wasRoc) {
        // The rule was removed while its alarm was active: it recovers.
        events.push({ type: 'recover', point: point.id, kind: 'ROC', ts: sample.ts, value: 0 })
      }
      const digitalValue =
        sample.quality === 'good'
          ? typeof sample.value === 'boolean'
            ? sample.value
            : sample.value === 1
              ? true
              : sample.value === 0
                ? false
                : null
          : null
      if ((point.digital || state.digital) && (digitalValue !== null || !point.digital)) {
        const active = point.digital ? digitalValue === point.digital.alarmOn : false
        extra.digital = active
        if (active && !state.digital)
          raiseOrSuppress('DIGITAL', sample.ts, digitalValue ? 1 : 0, point.digital!.alarmOn ? 1 : 0)
        if (!active && state.digital)
          events.push({ type: 'recover', point: point.id, kind: 'DIGITAL', ts: sample.ts, value: digitalValue ? 1 : 0 })
      } else if (state.digital !== undefined) extra.digital = state.digital

      const next = evaluateThreshold(limits, state.threshold, sample)
      const threshold: ThresholdState = { active: { ...next.state.active } }
      if (point.delays && (point.delays.onDelayMs > 0 || point.delays.offDelayMs > 0)) {
        // The threshold decides the raw condition; the delays decide when it raises and recovers.
        const delays = { ...(state.delays ?? {}) }
        const changes: Array<{ kind: LimitKind; to: boolean; at: number; value: number; limit: number }> = []
        for (const e of next.events)
          if (e.type === 'raise')
            delays[e.kind] = {
              ...(delays[e.kind] ?? initialDelayState(sample.ts)),
              onset: { value: e.value, limit: e.limit },
            }
        for (const kind of ['H', 'HH', 'L', 'LL'] as const) {
          const before: KindDelay = delays[kind] ?? initialDelayState(sample.ts)
          const r = observe(point.delays, before, threshold.active[kind] !== undefined, sample.ts)
          delays[kind] = { ...r.state, ...(before.onset ? { onset: before.onset } : {}) }
          for (const c of r.changes)
            changes.push({
              kind,
              to: c.to,
              at: c.at,
              value: c.to ? (before.onset?.value ?? (sample.value as number)) : (sample.value as number),
              limit: before.onset?.limit ?? NaN,
            })
        }
        for (const c of changes.sort((a, b) => a.at - b.at)) {
          const priority = priorityOf(c.kind, pointClass, matrix)
          const window = c.to ? (point.windowAt?.(c.at) ?? null) : null
          if (window !== null) {
            suppressed.push({ window, point: point.id, kind: c.kind, priority, ts: c.at, value: c.value })
            continue
          }
          events.push(
            c.to
              ? { type: 'raise', point: point.id, kind: c.kind, priority, ts: c.at, value: c.value, limit: c.limit }
              : { type: 'recover', point: point.id, kind: c.kind, ts: c.at, value: c.value },
          )
        }
        state = { v: 1, lastTs: sample.ts, threshold, delays, ...extra }
        evaluated++
        ticks.push(sample.ts)
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
      state = { v: 1, lastTs: sample.ts, threshold, ...(state.delays ? { delays: state.delays } : {}), ...extra }
      evaluated++
      ticks.push(sample.ts)
      changed = true
    }
    if (!changed) return { state: null, events, suppressed, evaluated, stale, skewed }
    const latch = latched(chatter, point.id, stored?.chatter, events, ticks)
    const { chatter: _old, ...rest } = state
    return {
      state: { ...rest, ...(Object.keys(latch.states).length > 0 ? { chatter: latch.states } : {}) },
      events: latch.events,
      suppressed,
      evaluated,
      stale,
      skewed,
    }
  }
}

/** The rules' raises and recoveries through the chattering latch (shared/rules/latch.ts). */
function latched(
  config: ChatterConfig,
  point: string,
  before: LatchStates<RuleEventKind> | undefined,
  events: readonly AlarmEvent[],
  ticks: readonly number[],
): { states: LatchStates<RuleEventKind>; events: AlarmEvent[] } {
  const raw = events.filter((e): e is Exclude<AlarmEvent, { type: 'repeat' }> => e.type !== 'repeat')
  const r = applyLatch(config, before, raw, ticks)
  const out = r.out.map((o): AlarmEvent => {
    if (o.type === 'pass')
      return o.latched && o.event.type === 'raise' ? { ...o.event, chattering: o.latched } : o.event
    if (o.type === 'repeat')
      return { type: 'repeat', point, kind: o.event.kind, ts: o.event.ts, value: o.event.value, repeats: o.repeats }
    return { type: 'recover', point, kind: o.kind, ts: o.ts, value: o.value, repeats: o.repeats }
  })
  return { states: r.states, events: out }
}

/** Parses a persisted state; anything unreadable starts fresh (logged by the caller). */
export function parseRuleState(json: unknown): PointRuleState | null {
  if (typeof json !== 'object' || json === null) return null
  const s = json as Partial<PointRuleState>
  if (s.v !== 1 || typeof s.threshold !== 'object' || s.threshold === null || typeof s.threshold.active !== 'object')
    return null
  return {
    v: 1,
    lastTs: typeof s.lastTs === 'number' ? s.lastTs : null,
    threshold: { active: { ...s.threshold.active } },
    ...(typeof s.delays === 'object' && s.delays !== null ? { delays: { ...s.delays } } : {}),
    ...(typeof s.rate === 'object' && s.rate !== null && Array.isArray(s.rate.window)
      ? { rate: { window: [...s.rate.window], active: s.rate.active === true } }
      : {}),
    ...(typeof s.digital === 'boolean' ? { digital: s.digital } : {}),
    ...chatterOf(s.chatter),
  }
}

/** The latch part of a stored state; rule states written before latching have none. */
function chatterOf(json: unknown): Pick<PointRuleState, 'chatter'> {
  const states = parseLatchStates(json)
  return states && Object.keys(states).length > 0 ? { chatter: states as LatchStates<RuleEventKind> } : {}
}
