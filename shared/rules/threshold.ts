import { z } from 'zod'
import type { Sample } from '../wire/sample.ts'

/**
 * Over-limit rule: the provincial indicator's level-1/level-2 upper and lower thresholds
 * (jiangsu-exchange #152) mapped to H / HH / L / LL (brief §4). Each limit is its own alarm.
 *
 * A high alarm raises when value ≥ limit and returns to normal only when value < limit − deadband
 * (a low alarm mirrors that), so a value hovering at the limit does not chatter.
 */
export const LimitKinds = ['HH', 'H', 'L', 'LL'] as const
export type LimitKind = (typeof LimitKinds)[number]

export const ThresholdLimits = z
  .object({
    hh: z.number().optional(),
    h: z.number().optional(),
    l: z.number().optional(),
    ll: z.number().optional(),
    deadband: z.number().nonnegative().default(0),
  })
  .refine((t) => t.hh === undefined || t.h === undefined || t.hh >= t.h, { message: 'hh must be ≥ h', path: ['hh'] })
  .refine((t) => t.ll === undefined || t.l === undefined || t.ll <= t.l, { message: 'll must be ≤ l', path: ['ll'] })
  .refine((t) => t.h === undefined || t.l === undefined || t.h > t.l, { message: 'h must be > l', path: ['h'] })
export type ThresholdLimits = z.infer<typeof ThresholdLimits>

export interface ThresholdState {
  /** The limit kinds currently active, with when and at what value they were raised. */
  active: Partial<Record<LimitKind, { since: number; value: number }>>
}

export type ThresholdEvent =
  | { type: 'raise'; kind: LimitKind; ts: number; value: number; limit: number }
  | { type: 'recover'; kind: LimitKind; ts: number; value: number; limit: number }

export const initialThresholdState = (): ThresholdState => ({ active: {} })

function limitOf(limits: ThresholdLimits, kind: LimitKind): number | undefined {
  return { HH: limits.hh, H: limits.h, L: limits.l, LL: limits.ll }[kind]
}

function isHigh(kind: LimitKind): boolean {
  return kind === 'HH' || kind === 'H'
}

/**
 * Pure: the next state and the events one sample causes. Samples that are not good or not
 * numeric change nothing (a bad reading is a comm-loss matter, not an over-limit one).
 * Raise order is H before HH (and L before LL); recover order is the reverse.
 */
export function evaluateThreshold(
  limits: ThresholdLimits,
  state: ThresholdState,
  sample: Pick<Sample, 'ts' | 'value' | 'quality'>,
): { state: ThresholdState; events: ThresholdEvent[] } {
  if (sample.quality !== 'good' || typeof sample.value !== 'number' || !Number.isFinite(sample.value)) {
    return { state, events: [] }
  }
  const value = sample.value
  const active = { ...state.active }
  const raises: ThresholdEvent[] = []
  const recovers: ThresholdEvent[] = []
  for (const kind of ['H', 'HH', 'L', 'LL'] as const) {
    const limit = limitOf(limits, kind)
    const wasActive = active[kind] !== undefined
    if (limit === undefined) {
      // A limit removed while active recovers, so no alarm is left dangling.
      if (wasActive) {
        delete active[kind]
        recovers.unshift({ type: 'recover', kind, ts: sample.ts, value, limit: NaN })
      }
      continue
    }
    const high = isHigh(kind)
    const beyond = high ? value >= limit : value <= limit
    const clear = high ? value < limit - limits.deadband : value > limit + limits.deadband
    if (!wasActive && beyond) {
      active[kind] = { since: sample.ts, value }
      raises.push({ type: 'raise', kind, ts: sample.ts, value, limit })
    } else if (wasActive && clear) {
      delete active[kind]
      recovers.unshift({ type: 'recover', kind, ts: sample.ts, value, limit })
    }
  }
  return { state: { active }, events: [...recovers, ...raises] }
}
