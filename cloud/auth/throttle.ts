import { isIP } from 'node:net'
import { z } from 'zod'
import type { Clock } from '../../shared/clock.ts'
import { ErrorCodes, ParklinkError } from '../../shared/errors.ts'

/**
 * Login throttling, the first line against password guessing (等保 level 3, brief §7: "limit
 * illegal login attempts"): failed logins are counted per source address and across all
 * addresses; past a free allowance each further failure makes the next attempt wait, twice as
 * long each time (up to a ceiling). A waiting attempt is answered 429 with Retry-After before any
 * password is hashed. The account lockout (policy.ts) stays behind it as the second line.
 *
 * An attempt is reserved synchronously (counted as a failure) before the hash runs, so parallel
 * attempts cannot slip past the count; a successful login gives its reservation back.
 */
export const ThrottleRule = z.strictObject({
  /** Failures within the window that cost nothing. */
  freeFailures: z.number().int().min(1).max(100_000),
  /** Failures are forgotten this long after the last one. */
  windowS: z.number().int().min(1).max(86_400),
  /** The wait after the first failure past the allowance; doubled for each further one. */
  baseDelayS: z.number().min(0.1).max(3_600),
  maxDelayS: z.number().min(1).max(86_400),
})
export type ThrottleRule = z.infer<typeof ThrottleRule>

const ADDRESS_DEFAULT: ThrottleRule = { freeFailures: 5, windowS: 900, baseDelayS: 15, maxDelayS: 900 }
const GLOBAL_DEFAULT: ThrottleRule = { freeFailures: 200, windowS: 300, baseDelayS: 1, maxDelayS: 60 }

export const LoginThrottleConfig = z.strictObject({
  /** Per source address (the socket's, or a trusted proxy's client: http.trustedProxies). */
  perAddress: ThrottleRule.default(ADDRESS_DEFAULT),
  /** Across all addresses: a brake on a distributed guess (and on the CPU the hashes cost). */
  global: ThrottleRule.default(GLOBAL_DEFAULT),
  /** Addresses remembered at most (the oldest is forgotten first), so a flood cannot fill memory. */
  maxAddresses: z.number().int().min(100).max(1_000_000).default(10_000),
})
export type LoginThrottleConfig = z.infer<typeof LoginThrottleConfig>
export const defaultLoginThrottle: LoginThrottleConfig = LoginThrottleConfig.parse({})

/** A throttled attempt: HTTP 429 with `Retry-After: retryAfterS`. */
export class ThrottledError extends ParklinkError {
  constructor(
    readonly retryAfterS: number,
    readonly scope: 'address' | 'global',
  ) {
    super(
      ErrorCodes.TOO_MANY_REQUESTS,
      `too many failed logins ${scope === 'address' ? 'from this address' : 'at the moment'}: try again in ${retryAfterS} s`,
      {
        hint: `wait ${retryAfterS} s before the next attempt; each further failure doubles the wait`,
      },
    )
  }
}

interface Window {
  failures: number
  lastAt: number
  /** No attempt before this time (0: none pending). */
  blockedUntil: number
}

const EMPTY: Window = { failures: 0, lastAt: 0, blockedUntil: 0 }
const fresh = (w: Window, now: number, rule: ThrottleRule): Window =>
  now - w.lastAt >= rule.windowS * 1000 ? EMPTY : w
const delayMs = (over: number, rule: ThrottleRule) =>
  Math.min(rule.baseDelayS * 1000 * 2 ** Math.min(over - 1, 30), rule.maxDelayS * 1000)

function withFailure(w: Window, now: number, rule: ThrottleRule): Window {
  const failures = w.failures + 1
  return {
    failures,
    lastAt: now,
    blockedUntil: failures > rule.freeFailures ? now + delayMs(failures - rule.freeFailures, rule) : 0,
  }
}

/** One failure given back: the wait is the one the failures left imply, counted from the last attempt. */
function withoutFailure(w: Window, rule: ThrottleRule): Window {
  const failures = Math.max(0, w.failures - 1)
  return {
    ...w,
    failures,
    blockedUntil: failures > rule.freeFailures ? w.lastAt + delayMs(failures - rule.freeFailures, rule) : 0,
  }
}

/**
 * What the throttle counts an address under: an IPv4 address as it is, an IPv6 address by its
 * /64 (one host usually holds a whole /64 and could otherwise take a fresh address per guess).
 */
export function throttleKey(address: string): string {
  if (isIP(address) !== 6) return address
  const [head = '', tail] = address.split('::') as [string, string | undefined]
  const left = head === '' ? [] : head.split(':')
  const right = tail === undefined || tail === '' ? [] : tail.split(':')
  const groups =
    tail === undefined
      ? left
      : [...left, ...Array<string>(Math.max(0, 8 - left.length - right.length)).fill('0'), ...right]
  return `${groups
    .slice(0, 4)
    .map((g) => g.toLowerCase().replace(/^0+(?=.)/, ''))
    .join(':')}::/64`
}

export interface Reservation {
  /** Seconds the next attempt from this address must wait if this one fails (0: none), for the audit entry. */
  readonly nextWaitS: number
  /** A successful login gives its counted failure back (once). */
  release(): void
}
export type LoginThrottle = ReturnType<typeof createLoginThrottle>

export function createLoginThrottle(config: LoginThrottleConfig, clock: Pick<Clock, 'now'>) {
  const addresses = new Map<string, Window>()
  let global: Window = EMPTY
  const addressWindow = (address: string, now: number) => fresh(addresses.get(address) ?? EMPTY, now, config.perAddress)
  const remember = (address: string, w: Window) => {
    addresses.delete(address) // re-inserted last: the Map's order is the age
    addresses.set(address, w)
    if (addresses.size > config.maxAddresses) addresses.delete(addresses.keys().next().value!)
  }

  return {
    /**
     * Counts one attempt from `address` as a failure, or throws ThrottledError when the address
     * (or everyone) must wait. Synchronous: nothing runs between the check and the count.
     */
    reserve(source: string): Reservation {
      const address = throttleKey(source)
      const now = clock.now()
      const mine = addressWindow(address, now)
      global = fresh(global, now, config.global)
      const waitMs = Math.max(mine.blockedUntil, global.blockedUntil) - now
      if (waitMs > 0)
        throw new ThrottledError(
          Math.ceil(waitMs / 1000),
          mine.blockedUntil - now >= global.blockedUntil - now ? 'address' : 'global',
        )
      const counted = withFailure(mine, now, config.perAddress)
      remember(address, counted)
      global = withFailure(global, now, config.global)
      let released = false
      return {
        nextWaitS: counted.blockedUntil === 0 ? 0 : Math.ceil((counted.blockedUntil - now) / 1000),
        release() {
          if (released) return
          released = true
          const w = addresses.get(address)
          if (w) addresses.set(address, withoutFailure(w, config.perAddress))
          global = withoutFailure(global, config.global)
        },
      }
    },
    /** Failures counted now for an address (and in all), for health and tests. */
    failures(address?: string): number {
      const now = clock.now()
      return address === undefined
        ? fresh(global, now, config.global).failures
        : addressWindow(throttleKey(address), now).failures
    },
    get addresses(): number {
      return addresses.size
    },
  }
}
