/**
 * A token bucket on an injected time source: `capacity` tokens, refilled continuously at
 * `perSecond`. Over any interval of t seconds at most capacity + perSecond × t tokens are taken,
 * which is how a publisher keeps under a per-second cap (shared/iot/limits.ts IOT_PACE).
 */
export interface TokenBucket {
  /** The ms until `n` tokens (default 1, at most the capacity) are there; 0: now. Takes nothing. */
  wait(n?: number): number
  /** Takes `n` tokens (at most the capacity) and returns 0, or returns the ms to wait (nothing taken). */
  take(n?: number): number
}

export function createTokenBucket(perSecond: number, capacity: number, now: () => number): TokenBucket {
  if (!(perSecond > 0) || !(capacity >= 1)) throw new Error('a token bucket needs perSecond > 0 and capacity >= 1')
  let tokens = capacity
  let at = now()
  const refill = () => {
    const t = now()
    tokens = Math.min(capacity, tokens + ((t - at) * perSecond) / 1000)
    at = t
  }
  const wait = (n = 1) => {
    refill()
    const want = Math.min(n, capacity)
    return tokens >= want ? 0 : Math.max(1, Math.ceil(((want - tokens) * 1000) / perSecond))
  }
  return {
    wait,
    take(n = 1) {
      const ms = wait(n)
      if (ms === 0) tokens -= Math.min(n, capacity)
      return ms
    },
  }
}
