import { z } from 'zod'
import type { Sample } from '../wire/sample.ts'

/**
 * Rate of change (ISA-18.2 §10.4: an alarm on how fast a value moves, e.g. a tank level
 * rising faster than any fill rate explains, or settlement in mm/day). The rate is taken over a
 * window of good samples, not between two neighbours, so measurement noise does not trip it:
 * rate = (newest − oldest) / (their time span), once the samples span at least half the window.
 * Expressed per `perMs` (60 000: per minute; 86 400 000: per day).
 */
export const RateConfig = z
  .strictObject({
    /** |rate| at or above this raises. */
    limit: z.number().positive(),
    /** The rate must fall below limit − deadband to clear. */
    deadband: z.number().nonnegative().default(0),
    windowMs: z.number().int().positive().default(60_000),
    perMs: z.number().int().positive().default(60_000),
  })
  .refine((c) => c.deadband < c.limit, { message: 'deadband must be smaller than limit', path: ['deadband'] })
export type RateConfig = z.infer<typeof RateConfig>

export interface RateState {
  window: Array<{ ts: number; value: number }>
  active: boolean
}

export const initialRateState = (): RateState => ({ window: [], active: false })

/** Pure: the rate after this sample (null while the window is too short) and the raw condition. */
export function evaluateRate(
  config: RateConfig,
  state: RateState,
  sample: Pick<Sample, 'ts' | 'value' | 'quality'>,
): { state: RateState; rate: number | null } {
  if (sample.quality !== 'good' || typeof sample.value !== 'number' || !Number.isFinite(sample.value))
    return { state, rate: null }
  const last = state.window.at(-1)
  if (last !== undefined && sample.ts <= last.ts) return { state, rate: null } // late or repeated: not live
  const window = [
    ...state.window.filter((p) => p.ts >= sample.ts - config.windowMs),
    { ts: sample.ts, value: sample.value },
  ]
  const first = window[0]!
  const span = sample.ts - first.ts
  if (span < config.windowMs / 2) return { state: { ...state, window }, rate: null }
  const rate = ((sample.value - first.value) / span) * config.perMs
  const magnitude = Math.abs(rate)
  const active = state.active ? magnitude >= config.limit - config.deadband : magnitude >= config.limit
  return { state: { window, active }, rate }
}
