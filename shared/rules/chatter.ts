import { z } from 'zod'

/**
 * Chattering alarms (ANSI/ISA-18.2 §16.6, EEMUA 191): an alarm that raises `count` or more times
 * within `windowMs` (the park: ≥ 3 in 1 min, brief §5 KPIs). Detection latches the alarm as one
 * episode (shared/rules/latch.ts) so a chattering point cannot flood the board; what to do about
 * its cause (shelve, add deadband or delay) is a person's decision. Pure: activation times come
 * in, the verdict goes out.
 */
export const ChatterConfig = z.strictObject({
  count: z.number().int().min(2).default(3),
  windowMs: z.number().int().positive().default(60_000),
  /** Hold a chattering alarm as one episode (shared/rules/latch.ts); false: every raise is an episode. */
  latch: z.boolean().default(true),
  /** A latched alarm recovers once its condition has stayed clear this long (seconds). */
  clearHoldS: z.number().int().positive().default(60),
})
export type ChatterConfig = z.infer<typeof ChatterConfig>

export interface ChatterState {
  /** Activation times within the last window, oldest first. */
  recent: number[]
  chattering: boolean
}

export const initialChatterState = (): ChatterState => ({ recent: [], chattering: false })

export type ChatterChange = { chattering: boolean; at: number } | null

const prune = (config: ChatterConfig, recent: readonly number[], now: number) =>
  recent.filter((t) => t > now - config.windowMs)

/** An activation (raise) of the alarm at `ts`. */
export function recordActivation(
  config: ChatterConfig,
  state: ChatterState,
  ts: number,
): { state: ChatterState; change: ChatterChange } {
  const recent = [...prune(config, state.recent, ts), ts].sort((a, b) => a - b)
  const chattering = recent.length >= config.count
  const change = chattering && !state.chattering ? { chattering: true, at: ts } : null
  return { state: { recent, chattering: state.chattering || chattering }, change }
}

/** Time passing: chattering ends once a whole window has gone by with fewer than `count` activations. */
export function settleChatter(
  config: ChatterConfig,
  state: ChatterState,
  now: number,
): { state: ChatterState; change: ChatterChange } {
  const recent = prune(config, state.recent, now)
  if (state.chattering && recent.length < config.count) {
    return { state: { recent, chattering: false }, change: { chattering: false, at: now } }
  }
  return { state: recent.length === state.recent.length ? state : { ...state, recent }, change: null }
}

/** When settleChatter may next change something; null when nothing is pending. */
export function chatterDue(config: ChatterConfig, state: ChatterState): number | null {
  const oldest = state.recent[0]
  return oldest === undefined ? null : oldest + config.windowMs
}
