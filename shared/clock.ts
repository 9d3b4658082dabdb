/**
 * Injected time. Everything that reads the time or sets a timer takes a Clock, so tests can
 * use vitest's fake timers (which patch Date and the global timers that systemClock forwards to).
 */
export interface Clock {
  now(): number
  setTimeout(fn: () => void, ms: number): TimerHandle
  clearTimeout(handle: TimerHandle): void
}

export type TimerHandle = { readonly __timer: unique symbol } | ReturnType<typeof setTimeout>

export const systemClock: Clock = {
  now: () => Date.now(),
  // Looked up at call time, so fake timers installed after import still apply.
  setTimeout: (fn, ms) => globalThis.setTimeout(fn, ms),
  clearTimeout: (h) => globalThis.clearTimeout(h as ReturnType<typeof setTimeout>),
}

/** Exponential backoff with full jitter: attempt 0 → [0, base), capped at max. */
export function backoffDelay(
  attempt: number,
  baseMs: number,
  maxMs: number,
  random: () => number = Math.random,
): number {
  const ceiling = Math.min(maxMs, baseMs * 2 ** Math.min(attempt, 30))
  return Math.max(baseMs / 2, Math.floor(random() * ceiling))
}
