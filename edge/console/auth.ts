import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto'

/**
 * The console's login: one password (from the environment), compared in constant time; a
 * session is a cookie "expiry.signature" signed with a key made when the process starts
 * (HMAC-SHA256): a config apply (which restarts the agent and its console) keeps technicians
 * logged in, a restart of the service logs everyone out, and nothing is stored. Repeated failures lock the login for a while.
 */
const digest = (s: string) => createHash('sha256').update(s, 'utf8').digest()

/** Constant time whatever the lengths: both sides are hashed to 32 bytes first. */
export function passwordMatches(given: string, expected: string): boolean {
  return timingSafeEqual(digest(given), digest(expected))
}

export interface Sessions {
  issue(now: number): string
  valid(token: string | undefined, now: number): boolean
}

const PROCESS_KEY = randomBytes(32)

export function createSessions(ttlMs: number, key: Buffer = PROCESS_KEY): Sessions {
  const sign = (expires: string) => createHmac('sha256', key).update(expires).digest('base64url')
  return {
    issue: (now) => {
      const expires = String(now + ttlMs)
      return `${expires}.${sign(expires)}`
    },
    valid(token, now) {
      const m = token === undefined ? null : /^(\d{1,16})\.([A-Za-z0-9_-]{43})$/.exec(token)
      if (!m) return false
      const good = Buffer.from(sign(m[1]!))
      const given = Buffer.from(m[2]!)
      return given.length === good.length && timingSafeEqual(given, good) && Number(m[1]) > now
    },
  }
}

/** After `maxFailures` wrong passwords within `windowMs`, logins are refused for `lockMs`. */
export interface LoginGuard {
  /** ms until a login may be tried again (0 = now). */
  lockedFor(now: number): number
  failed(now: number): void
  succeeded(): void
}

export function createLoginGuard(maxFailures = 5, windowMs = 5 * 60_000, lockMs = 60_000): LoginGuard {
  let failures: number[] = []
  let lockedUntil = 0
  return {
    lockedFor: (now) => Math.max(0, lockedUntil - now),
    failed(now) {
      failures = [...failures.filter((t) => t > now - windowMs), now]
      if (failures.length >= maxFailures) {
        lockedUntil = now + lockMs
        failures = []
      }
    },
    succeeded() {
      failures = []
    },
  }
}
