import { createHash, randomBytes } from 'node:crypto'

/**
 * Refresh tokens and API keys: 256 random bits, recognisable by a prefix. Only their SHA-256 is
 * stored — with that much entropy a fast hash is enough (nobody can guess a preimage), and a
 * lookup by hash is a plain index hit.
 */
export const API_KEY_PREFIX = 'plk_'
export const REFRESH_PREFIX = 'plr_'

export const newApiKey = () => `${API_KEY_PREFIX}${randomBytes(32).toString('base64url')}`
export const newRefreshToken = () => `${REFRESH_PREFIX}${randomBytes(32).toString('base64url')}`
export const sha256 = (secret: string) => createHash('sha256').update(secret, 'utf8').digest('hex')
