import { Hono } from 'hono'
import { z } from 'zod'
import { PointId, TopicId } from '../../../shared/wire/ids.ts'
import type { ApiDeps } from '../deps.ts'
import { badRequest } from '../errors.ts'
import { intParam, parseQuery, TimeParam } from '../params.ts'

export const GAPS_DEFAULT_LIMIT = 1_000
const GapsQuery = z.strictObject({ edge: TopicId.optional(), point: PointId.optional(), from: TimeParam.optional(), to: TimeParam.optional(), limit: intParam(GAPS_DEFAULT_LIMIT, 10_000) })
const HINT = 'edge: an edge id; point: a point id; from, to: epoch ms or ISO-8601 with a zone (a gap is listed when it overlaps them); limit: 1–10000'

/**
 * GET /api/v1/gaps?edge=&point=&from=&to=&limit= — data the edges dropped before the cloud
 * stored it (outbox over its size cap, or older than its maximum age), newest first: the seq
 * and time range, how many batches and samples, and which points ("all" when too many to list).
 * Nothing is lost silently: what is not in the history is here.
 */
export function gapsRoutes(deps: ApiDeps): Hono {
  const app = new Hono()
  app.get('/', async (c) => {
    const q = parseQuery(c, GapsQuery, HINT)
    if (q.from !== undefined && q.to !== undefined && q.from > q.to) throw badRequest(`from (${q.from}) is after to (${q.to})`, HINT)
    return c.json(await deps.store.listGaps(q))
  })
  return app
}
