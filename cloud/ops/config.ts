import { z } from 'zod'
import { ErrorCodes, ParklinkError } from '../../shared/errors.ts'

/**
 * `metrics:` in the cloud config (issue 16): who may scrape GET /metrics besides identities
 * whose role holds `metrics:read`. The token is never in the file: `tokenEnv` names the
 * environment variable that holds it (Prometheus sends it from a credentials file).
 */
export const MetricsConfig = z.strictObject({
  tokenEnv: z
    .string()
    .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'an environment variable name, e.g. PARKLINK_METRICS_TOKEN')
    .optional(),
})
export type MetricsConfig = z.infer<typeof MetricsConfig>

/** The shortest scrape token accepted: it is a password a machine keeps. */
export const MIN_SCRAPE_TOKEN = 24

/** The scrape token from the variable `tokenEnv` names; unset or short is a config error (nothing starts). */
export function scrapeToken(
  config: MetricsConfig,
  env: NodeJS.ProcessEnv = process.env,
  key = 'metrics.tokenEnv',
): string | undefined {
  const name = config.tokenEnv
  if (name === undefined) return undefined
  const value = env[name]
  if (value === undefined || value === '')
    throw new ParklinkError(
      ErrorCodes.CONFIG_INVALID,
      `${key} names ${name}, but that environment variable is not set`,
      {
        hint: `set ${name} (for systemd: in the service's environment file) or remove ${key}`,
      },
    )
  if (value.length < MIN_SCRAPE_TOKEN)
    throw new ParklinkError(
      ErrorCodes.CONFIG_INVALID,
      `the scrape token in ${name} is too short (${value.length} characters)`,
      { hint: `use at least ${MIN_SCRAPE_TOKEN} random characters, e.g. openssl rand -base64 32` },
    )
  return value
}
