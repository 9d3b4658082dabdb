import type { Logger } from 'pino'
import type { Clock } from '../../shared/clock.ts'
import { ErrorCodes, ParklinkError } from '../../shared/errors.ts'
import type { AuthStore, UserRecord } from '../store/auth-store.ts'
import type { AuthConfig } from './config.ts'
import { DEFAULT_SCRYPT, dummyHash, hashPassword, needsRehash, verifyPassword, type ScryptParams } from './password.ts'
import { passwordExpiresAt, passwordProblems } from './policy.ts'
import {
  ThrottledError,
  createLoginThrottle,
  defaultLoginThrottle,
  type LoginThrottle,
  type Reservation,
} from './throttle.ts'
import { HttpRefusals, type CloudMetrics } from '../metrics.ts'
import type { Identity } from './roles.ts'
import { createAuthenticator } from './identity.ts'
import { newRefreshToken, sha256 } from './secrets.ts'
import { signAccessToken } from './tokens.ts'

export interface AuthDeps {
  store: AuthStore
  clock: Clock
  log: Logger
  config: AuthConfig
  secret: Uint8Array
  /** scrypt cost (default 2^15); stored with each hash. */
  scrypt?: ScryptParams
  /** Failed logins per address and in all (default: the defaults of throttle.ts on `clock`). */
  throttle?: LoginThrottle
  /** Throttled logins are counted here (absent: not counted). */
  metrics?: CloudMetrics
}

export interface Tokens {
  accessToken: string
  /** Seconds. */
  expiresIn: number
  refreshToken: string
  refreshExpiresAt: number
  tokenType: 'Bearer'
}

export type AuthService = ReturnType<typeof createAuthService>

const fail = (
  code: typeof ErrorCodes.UNAUTHENTICATED | typeof ErrorCodes.PASSWORD_EXPIRED | typeof ErrorCodes.BAD_REQUEST,
  message: string,
  hint: string,
) => new ParklinkError(code, message, { hint })
/** The one answer for an unknown name, a wrong password, a locked or a disabled account: nothing to tell them apart. */
const WRONG = () =>
  fail(
    ErrorCodes.UNAUTHENTICATED,
    'wrong user name or password',
    'check both; after repeated failures the account is locked for a while (a security administrator can unlock it)',
  )

/** What the API knows of a login request, for the throttle and the audit entry. */
export interface LoginMeta {
  /** The client's address (the socket's, or from a trusted proxy): the throttle's key. */
  address?: string
  [key: string]: unknown
}

/**
 * Logins, sessions and identities. Every login (success and failure), lockout, logout, refresh
 * reuse and password change is written to the audit log.
 */
export function createAuthService(deps: AuthDeps) {
  const { store, clock, config } = deps
  const policy = config.password
  const scrypt = deps.scrypt ?? DEFAULT_SCRYPT
  const throttle = deps.throttle ?? createLoginThrottle(defaultLoginThrottle, clock)
  // Made on first need (an unknown user name), not at start: 0.3 s of CPU a start does not need.
  let dummy: Promise<string> | null = null
  const audit = store.audit

  async function issue(user: UserRecord): Promise<Tokens> {
    const now = clock.now()
    const refreshToken = newRefreshToken()
    const refreshExpiresAt = now + config.refreshTokenHours * 3_600_000
    const session = await store.createSession({
      user: user.id,
      refreshHash: sha256(refreshToken),
      createdAt: now,
      expiresAt: refreshExpiresAt,
    })
    const expiresIn = config.accessTokenMinutes * 60
    return {
      accessToken: await signAccessToken({ user: user.id, session: session.id }, deps.secret, now, expiresIn),
      expiresIn,
      refreshToken,
      refreshExpiresAt,
      tokenType: 'Bearer',
    }
  }

  /** Verifies against the dummy hash: an unknown or locked name costs as long as a wrong password. */
  const dummyCheck = async (password: string) =>
    void (await verifyPassword(password, await (dummy ??= dummyHash(scrypt))))

  /** Reserves the attempt with the throttle (429 when the address or everyone must wait), counted by scope. */
  function reserve(address: string): Reservation {
    try {
      return throttle.reserve(address)
    } catch (err) {
      if (err instanceof ThrottledError && deps.metrics)
        deps.metrics.http.refused[
          err.scope === 'address' ? HttpRefusals.LOGIN_THROTTLED_ADDRESS : HttpRefusals.LOGIN_THROTTLED_GLOBAL
        ]++
      throw err
    }
  }

  /**
   * Checks a password. The attempt is counted before any hash runs — by the throttle (per
   * address and in all) and against the account (one SQL statement) — so parallel attempts
   * lose no count. An unknown name, a locked account, a wrong password and a disabled account
   * all get the same answer (401, same message) after the same cost (one scrypt hash).
   */
  async function checkPassword(
    username: string,
    password: string,
    action: string,
    meta: LoginMeta,
  ): Promise<UserRecord> {
    const now = clock.now()
    const reservation = reserve(meta.address ?? 'unknown')
    const throttled = reservation.nextWaitS > 0 ? { nextWaitS: reservation.nextWaitS } : {}
    const refused = (reason: string, target: string | null, detail: Record<string, unknown> = {}) =>
      audit({
        at: now,
        actor: username,
        action: `${action}_failed`,
        target,
        outcome: 'refused',
        detail: { ...meta, reason, ...detail, ...throttled },
      })
    const user = await store.findUser(username)
    if (!user) {
      await dummyCheck(password)
      await refused('unknown user', null)
      throw WRONG()
    }
    const target = `user:${user.id}`
    const counted = await store.countLoginAttempt(
      user.id,
      now,
      policy.lockoutAfter,
      now + policy.lockoutMinutes * 60_000,
    )
    if (!counted) {
      await dummyCheck(password)
      await refused('locked', target, { lockedUntil: user.lockedUntil })
      throw WRONG()
    }
    if (!(await verifyPassword(password, user.passwordHash))) {
      const lockedNow = counted.lockedUntil !== null
      await refused('wrong password', target, { failures: lockedNow ? policy.lockoutAfter : counted.failedLogins })
      if (lockedNow) {
        await audit({
          at: now,
          actor: 'system',
          action: 'lockout',
          target,
          outcome: 'ok',
          detail: { username, failures: policy.lockoutAfter, until: counted.lockedUntil },
        })
        deps.log.warn({ username, until: counted.lockedUntil }, 'account locked after repeated failed logins')
      }
      throw WRONG()
    }
    if (user.disabled) {
      await refused('disabled', target)
      throw WRONG()
    }
    reservation.release()
    await store.updateUser(user.id, { failedLogins: 0, lockedUntil: null })
    return user
  }

  return {
    policy,

    async login(
      username: string,
      password: string,
      meta: LoginMeta = {},
    ): Promise<{ tokens: Tokens; user: UserRecord }> {
      const user = await checkPassword(username, password, 'login', meta)
      const now = clock.now()
      const expires = passwordExpiresAt(user.passwordChangedAt, policy)
      if (expires !== null && expires <= now) {
        await audit({
          at: now,
          actor: username,
          action: 'login_failed',
          target: `user:${user.id}`,
          outcome: 'refused',
          detail: { ...meta, reason: 'password expired' },
        })
        throw fail(
          ErrorCodes.PASSWORD_EXPIRED,
          `the password expired on ${new Date(expires).toISOString()}`,
          'set a new one with POST /api/v1/auth/password {"username", "password", "newPassword"}',
        )
      }
      const rehash = needsRehash(user.passwordHash, scrypt)
        ? { passwordHash: await hashPassword(password, scrypt) }
        : {}
      const updated = (await store.updateUser(user.id, {
        failedLogins: 0,
        lockedUntil: null,
        lastLoginAt: now,
        ...rehash,
      }))!
      const tokens = await issue(updated)
      await audit({ at: now, actor: username, action: 'login', target: `user:${user.id}`, outcome: 'ok', detail: meta })
      return { tokens, user: updated }
    },

    /** A new access token and a new refresh token for a valid one; a reused (already replaced) one ends every session of the user. */
    async refresh(refreshToken: string): Promise<Tokens> {
      const now = clock.now()
      const session = refreshToken.length < 200 ? await store.findSession(sha256(refreshToken)) : null
      const refused = () =>
        fail(
          ErrorCodes.UNAUTHENTICATED,
          'the refresh token is not valid (expired, logged out or already used)',
          'log in again with POST /api/v1/auth/login',
        )
      if (!session) throw refused()
      const user = await store.getUser(session.user)
      if (session.revokedAt !== null) {
        if (session.revokedWhy === 'rotated' && user) {
          // A replaced token used again: someone else has a copy. End every session of the user.
          const ended = await store.revokeUserSessions(user.id, now, 'refresh token reused')
          await audit({
            at: now,
            actor: user.username,
            action: 'refresh_reuse',
            target: `user:${user.id}`,
            outcome: 'refused',
            detail: { session: session.id, ended },
          })
        }
        throw refused()
      }
      if (session.expiresAt <= now || !user || user.disabled) throw refused()
      await store.revokeSession(session.id, now, 'rotated')
      return issue(user)
    },

    async logout(identity: Identity): Promise<void> {
      const now = clock.now()
      if (identity.session !== null) await store.revokeSession(identity.session, now, 'logout')
      await audit({
        at: now,
        actor: identity.actor,
        action: 'logout',
        target: `${identity.kind}:${identity.id}`,
        outcome: 'ok',
      })
    },

    /** Changes a password with the old one (also for an expired password); ends every session of the user. */
    async changePassword(username: string, password: string, newPassword: string, meta: LoginMeta = {}): Promise<void> {
      const user = await checkPassword(username, password, 'password_change', meta)
      const problems = passwordProblems(newPassword, policy, { username })
      if (newPassword === password) problems.push('different from the current one')
      if (problems.length)
        throw fail(
          ErrorCodes.BAD_REQUEST,
          `the new password does not meet the policy: it needs ${problems.join('; ')}`,
          'choose another password',
        )
      const now = clock.now()
      await store.updateUser(user.id, {
        passwordHash: await hashPassword(newPassword, scrypt),
        passwordChangedAt: now,
        failedLogins: 0,
        lockedUntil: null,
      })
      await store.revokeUserSessions(user.id, now, 'password changed')
      await audit({ at: now, actor: username, action: 'password_change', target: `user:${user.id}`, outcome: 'ok' })
    },

    /** The identity behind `Authorization: Bearer …` (an access token or an API key); null when none is valid. */
    authenticate: createAuthenticator(store, clock, deps.secret),
  }
}
