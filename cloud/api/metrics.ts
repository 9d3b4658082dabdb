import { Hono } from 'hono'
import type { Registry } from 'prom-client'
import { bearerMatches } from '../../shared/prom.ts'
import { ErrorCodes } from '../../shared/errors.ts'
import { allows } from '../auth/permissions.ts'
import type { AuthService } from '../auth/service.ts'
import { errorResponse } from './errors.ts'

/** What GET /metrics needs: the process's registry and who may read it. */
export interface MetricsEndpoint {
  registry: Registry
  /** The scrape token (from the variable metrics.tokenEnv names); absent: identities only. */
  scrapeToken?: string
}

/**
 * GET /metrics (issue 16): this process's Prometheus registry in the text format. Not under
 * /api/v1 (Prometheus's default path), but under the same rules as the API (brief §7, deny by
 * default): `Authorization: Bearer <scrape token>` (metrics.tokenEnv; Prometheus's
 * `authorization.credentials_file`), or any identity whose role holds `metrics:read` in the
 * access table (cloud/auth/permissions.ts: an API key or a logged-in user). No credentials →
 * 401, a role without the permission → 403. The scrape token opens this route and nothing else.
 */
export function metricsRoutes(endpoint: MetricsEndpoint, auth: Pick<AuthService, 'authenticate'>): Hono {
  const app = new Hono()
  app.get('/metrics', async (c) => {
    const header = c.req.header('authorization')
    if (!bearerMatches(header, endpoint.scrapeToken)) {
      const identity = await auth.authenticate(header)
      if (!identity) {
        c.header('WWW-Authenticate', 'Bearer realm="parklink"')
        return errorResponse(
          c,
          401,
          ErrorCodes.UNAUTHENTICATED,
          'no valid credentials for /metrics',
          'send "Authorization: Bearer <token>": the scrape token from the variable metrics.tokenEnv names, or an API key whose role may read metrics',
        )
      }
      if (!allows('metrics:read', identity.role))
        return errorResponse(
          c,
          403,
          ErrorCodes.FORBIDDEN,
          `the role ${identity.role} may not read /metrics`,
          'it needs the permission metrics:read (park_admin, technician), or use the scrape token',
        )
    }
    const text = await endpoint.registry.metrics()
    c.header('Cache-Control', 'no-store')
    return c.body(text, 200, { 'Content-Type': endpoint.registry.contentType })
  })
  return app
}
