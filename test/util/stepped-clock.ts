import type { Clock, TimerHandle } from '../../shared/clock.ts'

/**
 * An injected Clock (shared/clock.ts) whose time moves only when the test says so, its timers
 * fired in time order as it moves. Unlike vitest's fake timers it patches nothing global: the
 * store's driver keeps its real timers (postgres.js opens and recycles connections on
 * setTimeout, and a faked one would never come), so a test on fake time runs on either engine.
 */
export interface SteppedClock extends Clock {
  /** Sets the time (timers are not fired: use advance). */
  set(ms: number): void
  /** Timers armed on this clock and neither fired nor cleared. */
  pending(): number
  /**
   * Moves the time `ms` forward, firing each timer due on the way at its own time (ties in the
   * order they were armed). After each one `settle` is awaited before the time moves on: by
   * default one turn of the event loop (what the timer started and its microtasks have run); a
   * test whose timer starts real I/O (a store round) waits here for what marks it done.
   */
  advance(ms: number, settle?: () => Promise<unknown>): Promise<void>
}

interface Armed {
  at: number
  order: number
  fn: () => void
}

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve))

export function steppedClock(start: number): SteppedClock {
  let now = start
  let order = 0
  const timers = new Map<number, Armed>()
  const due = (until: number): [number, Armed] | undefined => {
    let first: [number, Armed] | undefined
    for (const entry of timers) {
      const [, t] = entry
      if (t.at <= until && (!first || t.at < first[1].at || (t.at === first[1].at && t.order < first[1].order)))
        first = entry
    }
    return first
  }
  return {
    now: () => now,
    set: (ms) => void (now = ms),
    setTimeout(fn, ms) {
      const id = ++order
      timers.set(id, { at: now + Math.max(0, ms), order: id, fn })
      return id as unknown as TimerHandle
    },
    clearTimeout: (handle) => void timers.delete(handle as unknown as number),
    pending: () => timers.size,
    async advance(ms, settle = nextTurn) {
      const target = now + ms
      for (let next = due(target); next; next = due(target)) {
        const [id, t] = next
        timers.delete(id)
        now = Math.max(now, t.at)
        t.fn()
        await settle()
      }
      now = target
    },
  }
}
