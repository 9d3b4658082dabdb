import { z } from 'zod'

/**
 * On-delay and off-delay (ANSI/ISA-18.2 §10.4.3, EEMUA 191 §A7): a raw condition must hold for
 * `onDelayMs` before the alarm raises, and stay gone for `offDelayMs` before it recovers. A
 * spike shorter than the on-delay raises nothing; a value dithering at the limit does not
 * recover and re-raise every few seconds.
 *
 * Pure. Time comes from the samples (source time) and, for a condition that simply persists
 * without a new sample, from the shell's timer via `settle(now)` at `due()`. The effective time
 * of a change is when the delay elapsed (rawSince + delay), whatever call notices it.
 */
export const DelayConfig = z.strictObject({
  onDelayMs: z.number().int().nonnegative().default(0),
  offDelayMs: z.number().int().nonnegative().default(0),
})
export type DelayConfig = z.infer<typeof DelayConfig>

export interface DelayState {
  /** The last raw condition and since when it has held. */
  raw: boolean
  rawSince: number
  /** The filtered condition, the one that raises and recovers alarms. */
  output: boolean
}

export interface DelayChange {
  to: boolean
  at: number
}

export const initialDelayState = (ts: number): DelayState => ({ raw: false, rawSince: ts, output: false })

/** When a pending change takes effect if nothing else happens; null when nothing is pending. */
export function due(config: DelayConfig, state: DelayState): number | null {
  if (state.raw === state.output) return null
  return state.rawSince + (state.raw ? config.onDelayMs : config.offDelayMs)
}

/** Applies the passage of time up to `now`: a pending change whose delay has elapsed takes effect. */
export function settle(
  config: DelayConfig,
  state: DelayState,
  now: number,
): { state: DelayState; changes: DelayChange[] } {
  const at = due(config, state)
  if (at === null || now < at) return { state, changes: [] }
  return { state: { ...state, output: state.raw }, changes: [{ to: state.raw, at }] }
}

/**
 * A new raw observation at `ts`. Observations older than the current one are ignored (late
 * samples are historical replay, not live filtering).
 */
export function observe(
  config: DelayConfig,
  state: DelayState,
  raw: boolean,
  ts: number,
): { state: DelayState; changes: DelayChange[] } {
  if (ts < state.rawSince) return { state, changes: [] }
  // First let time pass up to this observation with the old raw value (a change that became
  // due in between happened, even if this observation undoes it)…
  const before = settle(config, state, ts)
  const next = raw === before.state.raw ? before.state : { ...before.state, raw, rawSince: ts }
  // …then the new value may take effect at once (zero delay).
  const after = settle(config, next, ts)
  return { state: after.state, changes: [...before.changes, ...after.changes] }
}
