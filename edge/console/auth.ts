import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto'

/**
 * The console's login: one password (from the environment), compared in constant time; a
 * session is a cookie "expiry.name.signature" (the name the technician typed at login, for the
 * change log) signed with a key made when the process starts
 * (HMAC-SHA256): a config apply (which restarts the agent and its console) keeps technicians
 * logged in, a restart of the service logs everyone out, and nothing is stored. Repeated failures lock the login for a while.
 */
const digest = (s: string) => createHash('sha256').update(s, 'utf8').digest()

/** Constant time whatever the lengths: both sides are hashed to 32 bytes first. */
export function passwordMatches(given: string, expected: string): boolean {
  return timingSafeEqual(digest(given), digest(expected))
}

export interface Sessions {
  /** `user`: the name the technician gave at login (kept in the signed cookie; the change log's "who"). */
  issue(now: number, user?: string): string
  valid(token: string | undefined, now: number): boolean
  /** The login name of a valid session ('' when none was given), null when the token is not valid. */
  user(token: string | undefined, now: number): string | null
}

const PROCESS_KEY = randomBytes(32)

export function createSessions(ttlMs: number, key: Buffer = PROCESS_KEY): Sessions {
  const sign = (payload: string) => createHmac('sha256', key).update(payload).digest('base64url')
  const user = (token: string | undefined, now: number): string | null => {
    const m = token === undefined ? null : /^(\d{1,16})\.([A-Za-z0-9_-]{0,256})\.([A-Za-z0-9_-]{43})$/.exec(token)
    if (!m) return null
    const good = Buffer.from(sign(`${m[1]}.${m[2]}`))
    const given = Buffer.from(m[3]!)
    if (given.length !== good.length || !timingSafeEqual(given, good) || Number(m[1]) <= now) return null
    return Buffer.from(m[2]!, 'base64url').toString('utf8')
  }
  return {
    issue: (now, name = '') => {
      const payload = `${now + ttlMs}.${Buffer.from(name, 'utf8').toString('base64url')}`
      return `${payload}.${sign(payload)}`
    },
    valid: (token, now) => user(token, now) !== null,
    user,
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
