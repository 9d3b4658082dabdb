import type { Clock, TimerHandle } from './clock.ts'

/**
 * A job every `intervalMs` on the injected clock that never stops by itself: a failed round is
 * reported and the next one runs anyway (a `setInterval` that dies after the first error is a
 * known failure of gateways). Rounds never overlap: the next is scheduled after one ends.
 */
export interface Periodic {
  stop(): void
}

export function startPeriodic(
  clock: Clock,
  intervalMs: number,
  round: () => Promise<unknown>,
  onError: (err: unknown) => void,
): Periodic {
  let timer: TimerHandle | null = null
  let stopped = false
  const tick = () => {
    timer = null
    void round()
      .catch(onError)
      .finally(() => {
        if (!stopped) timer = clock.setTimeout(tick, intervalMs)
      })
  }
  timer = clock.setTimeout(tick, intervalMs)
  return {
    stop() {
      stopped = true
      if (timer !== null) clock.clearTimeout(timer)
      timer = null
    },
  }
}
