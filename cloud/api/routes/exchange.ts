import type { OpenAPIHono } from '@hono/zod-openapi'
import { ErrorCodes, ParklinkError } from '../../../shared/errors.ts'
import type { ApiDeps } from '../deps.ts'
import { REFUSALS, apiRouter, createRoute, json } from '../openapi/route.ts'

/**
 * The provincial exchange's state (issue 18, cloud/exchange/): the newest run per data set
 * (rows inserted / updated / flagged deleted / unchanged, held back, errors) and every row
 * held back now with what to fix. The park's: its admin, the center and the auditor.
 */
const routes = {
  status: createRoute({
    method: 'get',
    path: '/status',
    tags: ['exchange'],
    summary: 'The provincial exchange: its last run per data set and the rows held back, with what to fix',
    responses: { 200: json('the exchange status'), ...REFUSALS },
  }),
}

export function exchangeRoutes(deps: ApiDeps): OpenAPIHono {
  const app = apiRouter()
  app.openapi(routes.status, async (c) => {
    if (!deps.exchange)
      throw new ParklinkError(ErrorCodes.NOT_FOUND, 'the provincial exchange is not set up in this service', {
        hint: 'the cloud service opens it from exchange: in its config',
      })
    return c.json(await deps.exchange.status())
  })
  return app
}
