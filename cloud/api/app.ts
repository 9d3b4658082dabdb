import { Hono } from 'hono'
import type { ApiDeps } from './deps.ts'
import { createErrorHandler, notFoundHandler } from './errors.ts'
import { alarmsRoutes } from './routes/alarms.ts'
import { boardRoutes } from './routes/board.ts'
import { dashboardRoutes } from './dashboard.ts'
import { edgesRoutes } from './routes/edges.ts'
import { healthRoutes } from './routes/health.ts'
import { pointsRoutes } from './routes/points.ts'
import { windowsRoutes } from './routes/windows.ts'
import { gapsRoutes } from './routes/gaps.ts'
import { cameraRoutes } from './routes/cameras.ts'

export type { ApiDeps }

/**
 * The HTTP API. JSON only; every time in a response is epoch milliseconds (UTC, a number);
 * query times accept epoch ms or ISO-8601 with a zone. Errors: `{ error: { code, message, hint } }`.
 */
export function createApp(deps: ApiDeps): Hono {
  const app = new Hono()
  const api = new Hono()
  api.route('/health', healthRoutes(deps))
  api.route('/edges', edgesRoutes(deps))
  api.route('/points', pointsRoutes(deps))
  api.route('/', cameraRoutes(deps)) // /cameras, /alarms/{id}/snapshots, /snapshots/{id}
  api.route('/alarms', alarmsRoutes(deps))
  api.route('/maintenance-windows', windowsRoutes(deps))
  api.route('/gaps', gapsRoutes(deps))
  api.route('/', boardRoutes(deps))
  app.route('/api/v1', api)
  app.route('/', dashboardRoutes())
  app.notFound(notFoundHandler)
  app.onError(createErrorHandler(deps.log))
  return app
}
