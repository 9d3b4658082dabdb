import type { Logger } from 'pino'
import type { Clock } from '../../shared/clock.ts'
import { ErrorCodes, ParklinkError } from '../../shared/errors.ts'
import type { AuthStore, UserRecord } from '../store/auth-store.ts'
import type { AuthConfig } from './config.ts'
import { DEFAULT_SCRYPT, dummyHash, hashPassword, needsRehash, verifyPassword, type ScryptParams } from './password.ts'
import { afterFailure, passwordExpiresAt, passwordProblems } from './policy.ts'
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

const fail = (code: typeof ErrorCodes.UNAUTHENTICATED | typeof ErrorCodes.ACCOUNT_LOCKED | typeof ErrorCodes.PASSWORD_EXPIRED | typeof ErrorCodes.BAD_REQUEST, message: string, hint: string) => new ParklinkError(code, message, { hint })
const WRONG = () => fail(ErrorCodes.UNAUTHENTICATED, 'wrong user name or password', 'check both; after repeated failures the account is locked for a while')

/**
 * Logins, sessions and identities. Every login (success and failure), lockout, logout, refresh
 * reuse and password change is written to the audit log.
 */
export function createAuthService(deps: AuthDeps) {
  const { store, clock, config } = deps
  const policy = config.password
  const scrypt = deps.scrypt ?? DEFAULT_SCRYPT
  // Made on first need (an unknown user name), not at start: 0.3 s of CPU a start does not need.
  let dummy: Promise<string> | null = null
  const audit = store.audit

  async function issue(user: UserRecord): Promise<Tokens> {
    const now = clock.now()
    const refreshToken = newRefreshToken()
    const refreshExpiresAt = now + config.refreshTokenHours * 3_600_000
    const session = await store.createSession({ user: user.id, refreshHash: sha256(refreshToken), createdAt: now, expiresAt: refreshExpiresAt })
    const expiresIn = config.accessTokenMinutes * 60
    return { accessToken: await signAccessToken({ user: user.id, session: session.id }, deps.secret, now, expiresIn), expiresIn, refreshToken, refreshExpiresAt, tokenType: 'Bearer' }
  }

  /** Checks a password, counting failures toward the lockout. Throws the refusal (audited). */
  async function checkPassword(username: string, password: string, action: string, meta: Record<string, unknown>): Promise<UserRecord> {
    const now = clock.now()
    const user = await store.findUser(username)
    if (!user) {
      await verifyPassword(password, await (dummy ??= dummyHash(scrypt))) // as slow as a real check
      await audit({ at: now, actor: username, action: `${action}_failed`, outcome: 'refused', detail: { ...meta, reason: 'unknown user' } })
      throw WRONG()
    }
    if (user.lockedUntil !== null && user.lockedUntil > now) {
      await audit({ at: now, actor: username, action: `${action}_failed`, target: `user:${user.id}`, outcome: 'refused', detail: { ...meta, reason: 'locked', lockedUntil: user.lockedUntil } })
      throw fail(ErrorCodes.ACCOUNT_LOCKED, `the account is locked after repeated failed logins until ${new Date(user.lockedUntil).toISOString()}`, 'wait until then, or ask a security administrator to unlock it')
    }
    if (!(await verifyPassword(password, user.passwordHash))) {
      const next = afterFailure(user.failedLogins, now, policy)
      await store.updateUser(user.id, { failedLogins: next.failures, lockedUntil: next.lockedUntil })
      await audit({ at: now, actor: username, action: `${action}_failed`, target: `user:${user.id}`, outcome: 'refused', detail: { ...meta, reason: 'wrong password', failures: next.lockedUntil === null ? next.failures : policy.lockoutAfter } })
      if (next.lockedUntil !== null) {
        await audit({ at: now, actor: 'system', action: 'lockout', target: `user:${user.id}`, outcome: 'ok', detail: { username, failures: policy.lockoutAfter, until: next.lockedUntil } })
        deps.log.warn({ username, until: next.lockedUntil }, 'account locked after repeated failed logins')
      }
      throw WRONG()
    }
    if (user.disabled) {
      await audit({ at: now, actor: username, action: `${action}_failed`, target: `user:${user.id}`, outcome: 'refused', detail: { ...meta, reason: 'disabled' } })
      throw WRONG()
    }
    return user
  }

  return {
    policy,

    async login(username: string, password: string, meta: Record<string, unknown> = {}): Promise<{ tokens: Tokens; user: UserRecord }> {
      const user = await checkPassword(username, password, 'login', meta)
      const now = clock.now()
      const expires = passwordExpiresAt(user.passwordChangedAt, policy)
      if (expires !== null && expires <= now) {
        await audit({ at: now, actor: username, action: 'login_failed', target: `user:${user.id}`, outcome: 'refused', detail: { ...meta, reason: 'password expired' } })
        throw fail(ErrorCodes.PASSWORD_EXPIRED, `the password expired on ${new Date(expires).toISOString()}`, 'set a new one with POST /api/v1/auth/password {"username", "password", "newPassword"}')
      }
      const rehash = needsRehash(user.passwordHash, scrypt) ? { passwordHash: await hashPassword(password, scrypt) } : {}
      const updated = (await store.updateUser(user.id, { failedLogins: 0, lockedUntil: null, lastLoginAt: now, ...rehash }))!
      const tokens = await issue(updated)
      await audit({ at: now, actor: username, action: 'login', target: `user:${user.id}`, outcome: 'ok', detail: meta })
      return { tokens, user: updated }
    },

    /** A new access token and a new refresh token for a valid one; a reused (already replaced) one ends every session of the user. */
    async refresh(refreshToken: string): Promise<Tokens> {
      const now = clock.now()
      const session = refreshToken.length < 200 ? await store.findSession(sha256(refreshToken)) : null
      const refused = () => fail(ErrorCodes.UNAUTHENTICATED, 'the refresh token is not valid (expired, logged out or already used)', 'log in again with POST /api/v1/auth/login')
      if (!session) throw refused()
      const user = await store.getUser(session.user)
      if (session.revokedAt !== null) {
        if (session.revokedWhy === 'rotated' && user) {
          // A replaced token used again: someone else has a copy. End every session of the user.
          const ended = await store.revokeUserSessions(user.id, now, 'refresh token reused')
          await audit({ at: now, actor: user.username, action: 'refresh_reuse', target: `user:${user.id}`, outcome: 'refused', detail: { session: session.id, ended } })
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
      await audit({ at: now, actor: identity.actor, action: 'logout', target: `${identity.kind}:${identity.id}`, outcome: 'ok' })
    },

    /** Changes a password with the old one (also for an expired password); ends every session of the user. */
    async changePassword(username: string, password: string, newPassword: string): Promise<void> {
      const user = await checkPassword(username, password, 'password_change', {})
      const problems = passwordProblems(newPassword, policy, { username })
      if (newPassword === password) problems.push('different from the current one')
      if (problems.length) throw fail(ErrorCodes.BAD_REQUEST, `the new password does not meet the policy: it needs ${problems.join('; ')}`, 'choose another password')
      const now = clock.now()
      await store.updateUser(user.id, { passwordHash: await hashPassword(newPassword, scrypt), passwordChangedAt: now, failedLogins: 0, lockedUntil: null })
      await store.revokeUserSessions(user.id, now, 'password changed')
      await audit({ at: now, actor: username, action: 'password_change', target: `user:${user.id}`, outcome: 'ok' })
    },

    /** The identity behind `Authorization: Bearer …` (an access token or an API key); null when none is valid. */
    authenticate: createAuthenticator(store, clock, deps.secret),
  }
}
