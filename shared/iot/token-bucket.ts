/**
 * A token bucket on an injected time source: `capacity` tokens, refilled continuously at
 * `perSecond`. Over any interval of t seconds at most capacity + perSecond × t tokens are taken,
 * which is how a publisher keeps under a per-second cap (shared/iot/limits.ts IOT_PACE).
 */
export interface TokenBucket {
  /** Takes a token and returns 0, or returns the ms until one is there (nothing taken). */
  take(): number
}

export function createTokenBucket(perSecond: number, capacity: number, now: () => number): TokenBucket {
  if (!(perSecond > 0) || !(capacity >= 1)) throw new Error('a token bucket needs perSecond > 0 and capacity >= 1')
  let tokens = capacity
  let at = now()
  return {
    take() {
      const t = now()
      tokens = Math.min(capacity, tokens + ((t - at) * perSecond) / 1000)
      at = t
      if (tokens >= 1) {
        tokens -= 1
        return 0
      }
      return Math.max(1, Math.ceil(((1 - tokens) * 1000) / perSecond))
    },
  }
}
