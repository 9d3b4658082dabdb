import type { Clock } from '../../shared/clock.ts'
import type { AuthStore } from '../store/auth-store.ts'
import type { Identity } from './roles.ts'
import { API_KEY_PREFIX, sha256 } from './secrets.ts'
import { verifyAccessToken } from './tokens.ts'

/**
 * Who sends `Authorization: Bearer <credential>`: an API key, or an access token whose account
 * and session still hold (not disabled, not logged out, not expired). Null for anything else.
 * The role and enterprise come from the account or key as stored now, never from the token.
 */
export function createAuthenticator(store: AuthStore, clock: Clock, secret: Uint8Array) {
  return async (header: string | undefined): Promise<Identity | null> => {
    const match = /^Bearer ([^\s]{1,2048})$/i.exec(header ?? '')
    if (!match) return null
    const credential = match[1]!
    const now = clock.now()
    // A JWT has three dot-separated parts; anything else is looked up as an API key (generated
    // ones start with plk_, a demo key from PARKLINK_DEMO_API_KEY may be any string).
    if (credential.startsWith(API_KEY_PREFIX) || credential.split('.').length !== 3) {
      const key = await store.findApiKey(sha256(credential))
      if (!key || key.revokedAt !== null) return null
      if (key.lastUsedAt === null || now - key.lastUsedAt > 60_000) await store.touchApiKey(key.id, now)
      return {
        kind: 'api_key',
        id: key.id,
        actor: `key:${key.name}`,
        role: key.role,
        enterprise: key.enterprise,
        session: null,
      }
    }
    const claims = await verifyAccessToken(credential, secret, now)
    if (!claims) return null
    const [user, session] = await Promise.all([store.getUser(claims.user), store.getSession(claims.session)])
    if (
      !user ||
      user.disabled ||
      !session ||
      session.user !== user.id ||
      session.revokedAt !== null ||
      session.expiresAt <= now
    )
      return null
    return {
      kind: 'user',
      id: user.id,
      actor: user.username,
      role: user.role,
      enterprise: user.enterprise,
      session: session.id,
    }
  }
}
