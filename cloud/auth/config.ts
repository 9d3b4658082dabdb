import { randomBytes } from 'node:crypto'
import type { Logger } from 'pino'
import { z } from 'zod'
import { ErrorCodes, ParklinkError } from '../../shared/errors.ts'
import { PasswordPolicy, defaultPasswordPolicy } from './policy.ts'

/**
 * `auth:` in the cloud config. The token-signing secret is never written in the file: it comes
 * from the environment variable `tokenSecretEnv` names (at least 32 characters).
 */
export const AuthConfig = z.strictObject({
  tokenSecretEnv: z
    .string()
    .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'an environment variable name')
    .default('PARKLINK_TOKEN_SECRET'),
  /** Lifetime of an access token (a signed JWT): short, so a stolen one is worth little. */
  accessTokenMinutes: z.number().int().min(1).max(60).default(15),
  /** Lifetime of a refresh token; each use replaces it. */
  refreshTokenHours: z
    .number()
    .int()
    .min(1)
    .max(24 * 30)
    .default(12),
  password: PasswordPolicy.default(defaultPasswordPolicy),
  /** Private key (PEM PKCS#8, Ed25519 or P-256) that signs live-view viewer tokens; default: {dataDir}/live-key.pem, created on first start (cloud/auth/live-key.ts). */
  liveKeyFile: z.string().min(1).optional(),
})
export type AuthConfig = z.infer<typeof AuthConfig>
export const defaultAuthConfig: AuthConfig = AuthConfig.parse({})

/**
 * The secret for signing access tokens. Unset: a random one for this process, with a warning
 * (every session ends when the service restarts; API keys are unaffected).
 */
export function tokenSecret(config: AuthConfig, log: Logger, env: NodeJS.ProcessEnv = process.env): Uint8Array {
  const value = env[config.tokenSecretEnv]
  if (value === undefined || value === '') {
    log.warn(
      { variable: config.tokenSecretEnv },
      'no token secret set: using a random one, so logins end when the service restarts (set the variable to 32+ random characters)',
    )
    return randomBytes(32)
  }
  if (value.length < 32) {
    throw new ParklinkError(
      ErrorCodes.CONFIG_INVALID,
      `${config.tokenSecretEnv} is too short (${value.length} characters) to sign tokens safely`,
      {
        hint: `set ${config.tokenSecretEnv} to at least 32 random characters, e.g. \`openssl rand -base64 48\``,
      },
    )
  }
  return new TextEncoder().encode(value)
}
