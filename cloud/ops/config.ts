import { z } from 'zod'
import { scrapeTokenFrom } from '../../shared/prom.ts'

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

/** The scrape token from the variable `tokenEnv` names (shared/prom.ts); unset or short is a config error (nothing starts). */
export const scrapeToken = (config: MetricsConfig, env: NodeJS.ProcessEnv = process.env): string | undefined =>
  scrapeTokenFrom(config.tokenEnv, 'metrics.tokenEnv', env)
