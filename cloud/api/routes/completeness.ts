import type { OpenAPIHono } from '@hono/zod-openapi'
import { completeness, intervalsIn } from '../../telemetry/completeness.ts'
import { scope } from '../access.ts'
import type { ApiDeps } from '../deps.ts'
import { badRequest } from '../errors.ts'
import { TimeParam } from '../params.ts'
import { REFUSALS, apiRouter, createRoute, hint, json, z } from '../openapi/route.ts'

const DAY = 86_400_000
const MAX_SPAN_MS = 62 * DAY // a month's trial, with room
const MAX_INTERVALS = 100_000
const Query = z.strictObject({
  from: TimeParam.optional(),
  to: TimeParam.optional(),
  /** Seconds; the brief's refresh requirement is 5 min. */
  interval: z
    .string()
    .regex(/^\d{1,6}$/, 'seconds, a whole number')
    .transform(Number)
    .pipe(z.number().int().min(10).max(86_400))
    .default(300),
})
const HINT =
  'from, to: epoch ms or ISO-8601 with a zone (default: the last 24 h; at most 62 days); interval: seconds (default 300, the brief\'s "at least every 5 min")'

/**
 * GET /api/v1/completeness?from=&to=&interval= — the share of expected updates received, per
 * registered point, per enterprise (and whether it is connected now) and for the park
 * (cloud/telemetry/completeness.ts). An enterprise identity sees its own enterprise only.
 */
const get = createRoute({
  method: 'get',
  path: '/',
  tags: ['points'],
  summary: 'Data completeness: the share of expected updates received per point, enterprise and park',
  middleware: [hint(HINT)] as const,
  request: { query: Query },
  responses: { 200: json('completeness per point, enterprise and park'), ...REFUSALS },
})

export function completenessRoutes(deps: ApiDeps): OpenAPIHono {
  const app = apiRouter()
  app.openapi(get, async (c) => {
    const q = c.req.valid('query')
    const to = q.to ?? deps.clock.now()
    const from = q.from ?? to - DAY
    const step = q.interval * 1000
    if (!(from < to)) throw badRequest(`from (${from}) must be before to (${to})`, HINT)
    if (to - from > MAX_SPAN_MS) throw badRequest('the range is longer than 62 days', HINT)
    if (intervalsIn(from, to, step) > MAX_INTERVALS)
      throw badRequest(`more than ${MAX_INTERVALS} intervals: take a longer interval`, HINT)
    return c.json(
      completeness(await deps.store.completenessIntervals({ from, to, step }, scope(c)), { from, to, step }),
    )
  })
  return app
}
