import type { OpenAPIHono } from '@hono/zod-openapi'
import { PointId, TopicId } from '../../../shared/wire/ids.ts'
import type { ApiDeps } from '../deps.ts'
import { badRequest } from '../errors.ts'
import { intParam, TimeParam } from '../params.ts'
import { REFUSALS, apiRouter, createRoute, hint, json, z } from '../openapi/route.ts'

export const GAPS_DEFAULT_LIMIT = 1_000
const GapsQuery = z.strictObject({
  edge: TopicId.optional(),
  point: PointId.optional(),
  from: TimeParam.optional(),
  to: TimeParam.optional(),
  limit: intParam(GAPS_DEFAULT_LIMIT, 10_000),
})
const HINT =
  'edge: an edge id; point: a point id; from, to: epoch ms or ISO-8601 with a zone (a gap is listed when it overlaps them); limit: 1–10000'

/**
 * GET /api/v1/gaps?edge=&point=&from=&to=&limit= — data the edges dropped before the cloud
 * stored it (outbox over its size cap, or older than its maximum age), newest first: the seq
 * and time range, how many batches and samples, and which points ("all" when too many to list).
 * Nothing is lost silently: what is not in the history is here.
 */
const list = createRoute({
  method: 'get',
  path: '/',
  tags: ['edges'],
  summary: 'Gap records: what the edges dropped before the cloud stored it, newest first',
  middleware: [hint(HINT)] as const,
  request: { query: GapsQuery },
  responses: { 200: json('the gap records'), ...REFUSALS },
})

export function gapsRoutes(deps: ApiDeps): OpenAPIHono {
  const app = apiRouter()
  app.openapi(list, async (c) => {
    const q = c.req.valid('query')
    if (q.from !== undefined && q.to !== undefined && q.from > q.to)
      throw badRequest(`from (${q.from}) is after to (${q.to})`, HINT)
    return c.json(await deps.store.listGaps(q))
  })
  return app
}
