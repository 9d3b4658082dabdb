import type { ChatterConfig } from './chatter.ts'
import { initialChatterState, recordActivation } from './chatter.ts'

/**
 * Latching of chattering alarms (ANSI/ISA-18.2 §16.6, EEMUA 191; like a latched alarm, §11
 * state E, but released by itself after `clearHoldS` rather than by an operator reset): once an
 * alarm raises `count` times within `windowMs` (shared/rules/chatter.ts), its episode is held
 * active instead of a new episode per raise. While held, a recovery does not end the episode;
 * a raise is a counted repetition, not a new alarm. The episode recovers when the condition has
 * stayed clear for `clearHoldS` (checked at each evaluated sample: a silent point stays held
 * until its next sample, which comm-loss supervision covers).
 *
 * Pure, applied after the rules (shared/rules/evaluate.ts) to their raise/recover events, so the
 * edge and the cloud latch the same episodes from the same samples.
 */
export interface LatchState {
  /** Raise times within the chatter window, oldest first (fewer than `count` while not latched). */
  recent: number[]
  /** The episode is held as chattering. */
  latched: boolean
  /** Repetitions counted on the held episode. */
  repeats: number
  /** While latched: when the condition last cleared (null while it is active), and the value then. */
  clearSince: number | null
  clearValue?: number
}

export interface LatchInput<K extends string> {
  type: 'raise' | 'recover'
  kind: K
  ts: number
  value: number
}

/** What the latch lets through: raises (marked when they start a held episode), recoveries and counted repetitions. */
export type LatchOutput<K extends string, E> =
  | { type: 'pass'; event: E; latched?: { raises: number; windowS: number } }
  | { type: 'repeat'; event: E; repeats: number }
  | { type: 'release'; kind: K; ts: number; value: number; repeats: number }

export type LatchStates<K extends string> = Partial<Record<K, LatchState>>

const idle = (): LatchState => ({ recent: [], latched: false, repeats: 0, clearSince: null })

/** Whether any kind is held: the point must keep being evaluated (its limits may be gone). */
export const anyLatched = (states: LatchStates<string> | undefined): boolean =>
  Object.values(states ?? {}).some((s) => s?.latched === true)

/**
 * Runs the rules' events (in time order) and the evaluated samples' times through the latch.
 * A release (the hold elapsed) is reported at the first sample at or after clearSince + clearHoldS.
 */
export function applyLatch<K extends string, E extends LatchInput<K>>(
  config: ChatterConfig,
  before: LatchStates<K> | undefined,
  events: readonly E[],
  ticks: readonly number[],
): { states: LatchStates<K>; out: Array<LatchOutput<K, E>> } {
  const states: LatchStates<K> = {}
  for (const [k, v] of Object.entries(before ?? {}) as Array<[K, LatchState]>)
    states[k] = { ...v, recent: [...v.recent] }
  const out: Array<LatchOutput<K, E>> = []
  // Events at a sample's time come before that sample's hold check.
  const timeline = [
    ...events.map((e, i) => ({ ts: e.ts, order: 0, i })),
    ...ticks.map((ts) => ({ ts, order: 1, i: -1 })),
  ].sort((a, b) => a.ts - b.ts || a.order - b.order || a.i - b.i)
  for (const item of timeline) {
    if (item.order === 1) {
      for (const [kind, s] of Object.entries(states) as Array<[K, LatchState]>) {
        if (!s.latched || s.clearSince === null || item.ts - s.clearSince < config.clearHoldS * 1000) continue
        out.push({ type: 'release', kind, ts: item.ts, value: s.clearValue ?? 0, repeats: s.repeats })
        delete states[kind]
      }
      continue
    }
    const e = events[item.i]!
    const s = states[e.kind] ?? idle()
    if (e.type === 'raise') {
      if (s.latched) {
        s.repeats++
        s.clearSince = null
        delete s.clearValue
        out.push({ type: 'repeat', event: e, repeats: s.repeats })
      } else {
        const r = recordActivation(config, { ...initialChatterState(), recent: s.recent }, e.ts)
        s.recent = r.state.recent
        if (r.state.chattering && config.latch) {
          s.latched = true
          s.repeats = 0
          out.push({ type: 'pass', event: e, latched: { raises: s.recent.length, windowS: config.windowMs / 1000 } })
        } else out.push({ type: 'pass', event: e })
      }
    } else if (s.latched) {
      s.clearSince = e.ts
      s.clearValue = e.value
    } else out.push({ type: 'pass', event: e })
    if (s.latched || s.recent.length > 0) states[e.kind] = s
  }
  return { states, out }
}

/** Reads a persisted latch state (absent in rule states written before latching: none held). */
export function parseLatchStates(json: unknown): LatchStates<string> | undefined {
  if (typeof json !== 'object' || json === null) return undefined
  const states: LatchStates<string> = {}
  for (const [kind, v] of Object.entries(json as Record<string, unknown>)) {
    if (typeof v !== 'object' || v === null) continue
    const s = v as Partial<LatchState>
    if (!Array.isArray(s.recent)) continue
    states[kind] = {
      recent: s.recent.filter((t): t is number => typeof t === 'number'),
      latched: s.latched === true,
      repeats: typeof s.repeats === 'number' ? s.repeats : 0,
      clearSince: typeof s.clearSince === 'number' ? s.clearSince : null,
      ...(typeof s.clearValue === 'number' ? { clearValue: s.clearValue } : {}),
    }
  }
  return states
}
