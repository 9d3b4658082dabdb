import { Hono } from 'hono'
import { bodyLimit } from 'hono/body-limit'
import { ErrorCodes } from '../../shared/errors.ts'
import { accessControl } from './access.ts'
import { auditRoutes } from './routes/audit.ts'
import { authRoutes } from './routes/auth.ts'
import { apiKeyRoutes, userRoutes } from './routes/users.ts'
import type { ApiDeps } from './deps.ts'
import { createErrorHandler, errorResponse, notFoundHandler } from './errors.ts'
import { alarmsRoutes } from './routes/alarms.ts'
import { boardRoutes } from './routes/board.ts'
import { dashboardRoutes } from './dashboard.ts'
import { edgesRoutes } from './routes/edges.ts'
import { healthRoutes } from './routes/health.ts'
import { pointsRoutes } from './routes/points.ts'
import { windowsRoutes } from './routes/windows.ts'
import { gasWarningRoutes } from './routes/gas-warnings.ts'
import { gapsRoutes } from './routes/gaps.ts'
import { completenessRoutes } from './routes/completeness.ts'
import { cameraRoutes } from './routes/cameras.ts'
import { OpenAPIHono } from '@hono/zod-openapi'
import { registerDocs } from './openapi/document.ts'
import { validationHook } from './openapi/route.ts'
import { registryRoutes } from './routes/registry.ts'
import { wallRoutes } from './routes/wall.ts'
import { kpiRoutes } from './routes/kpi.ts'
import { reportsRoutes } from './routes/reports.ts'
import { exchangeRoutes } from './routes/exchange.ts'
import { planRoutes } from './routes/plan.ts'
import { PLAN_IMAGE_MAX_BYTES } from '../registry/plan-image.ts'
import { defaultStreamLimits, proxyMatcher } from './config.ts'
import { createStreamSlots } from '../alarms/feed.ts'
import { sourceMiddleware } from './source.ts'
import { noStore, securityHeaders } from './headers.ts'
import { metricsRoutes } from './metrics.ts'
import { gaugeFrom } from '../../shared/prom.ts'

export type { ApiDeps }

/** Request bodies larger than this are refused with 413 before they are read. */
export const MAX_BODY_BYTES = 256 * 1024
const PLAN_IMAGE_PATH = '/api/v1/plan/image'

/**
 * The HTTP API. JSON only; every time in a response is epoch milliseconds (UTC, a number);
 * query times accept epoch ms or ISO-8601 with a zone. Errors: `{ error: { code, message, hint } }`.
 */
export function createApp(deps: ApiDeps): Hono {
  const app = new Hono()
  app.use('*', securityHeaders({ liveOrigins: deps.live?.dashboardOrigins ?? [] }))
  const api = new OpenAPIHono({ defaultHook: validationHook() })
  const limits = deps.http?.streams ?? defaultStreamLimits
  const streams = { slots: createStreamSlots(limits), queue: limits.queue }
  // Every route is behind the access table (cloud/auth/permissions.ts): deny by default.
  api.use('*', noStore)
  api.use('*', sourceMiddleware(proxyMatcher(deps.http?.trustedProxies ?? [])))
  const limitBody = (maxSize: number) =>
    bodyLimit({
      maxSize,
      onError: (c) =>
        errorResponse(
          c,
          413,
          ErrorCodes.PAYLOAD_TOO_LARGE,
          `the request body is larger than ${maxSize} bytes`,
          'send less at once (e.g. fewer ids per batch)',
        ),
    })
  const anyBody = limitBody(MAX_BODY_BYTES)
  // The park plan image (issue 17) is the one body larger than the rest.
  const planBody = limitBody(PLAN_IMAGE_MAX_BYTES)
  api.use('*', (c, next) => (c.req.path === PLAN_IMAGE_PATH ? planBody(c, next) : anyBody(c, next)))
  api.use(
    '*',
    accessControl(deps.auth, deps.store.auth.audit, () => deps.clock.now()),
  )
  api.route('/auth', authRoutes(deps))
  api.route('/users', userRoutes(deps))
  api.route('/api-keys', apiKeyRoutes(deps))
  api.route('/audit', auditRoutes(deps))
  api.route('/health', healthRoutes(deps, streams.slots))
  api.route('/edges', edgesRoutes(deps))
  api.route('/points', pointsRoutes(deps))
  api.route('/', cameraRoutes(deps)) // /cameras, /alarms/{id}/snapshots, /snapshots/{id}
  api.route('/alarms', alarmsRoutes(deps, streams))
  api.route('/maintenance-windows', windowsRoutes(deps))
  api.route('/gas-warnings', gasWarningRoutes(deps))
  api.route('/gaps', gapsRoutes(deps))
  api.route('/completeness', completenessRoutes(deps))
  api.route('/', boardRoutes(deps))
  api.route('/', kpiRoutes(deps)) // /kpi/park
  api.route('/registry', registryRoutes(deps))
  api.route('/wall', wallRoutes(deps))
  api.route('/plan', planRoutes(deps))
  api.route('/reports', reportsRoutes(deps))
  api.route('/exchange', exchangeRoutes(deps))
  registerDocs(api, '/api/v1', deps.version) // GET /api/v1/openapi.json and /api/v1/docs, from the routes declared above
  app.route('/api/v1', api)
  if (deps.prometheus) {
    const slots = streams.slots
    gaugeFrom(deps.prometheus.registry, {
      name: 'parklink_cloud_alarm_streams_open',
      help: 'Live alarm streams (SSE) open on this process',
      read: () => slots.open,
    })
    app.route('/', metricsRoutes(deps.prometheus, deps.auth))
  }
  app.route('/', dashboardRoutes())
  app.notFound(notFoundHandler)
  app.onError(createErrorHandler(deps.log))
  return app
}
