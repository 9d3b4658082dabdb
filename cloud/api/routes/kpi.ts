import type { OpenAPIHono } from '@hono/zod-openapi'
import { TopicId } from '../../../shared/wire/ids.ts'
import { computeKpis } from '../../alarms/kpi.ts'
import { parkKpis } from '../../alarms/park-kpi.ts'
import { offsetMs } from '../../alarms/wall.ts'
import { ownEnterprise, scope } from '../access.ts'
import type { ApiDeps } from '../deps.ts'
import { badRequest } from '../errors.ts'
import { TimeParam } from '../params.ts'
import { REFUSALS, apiRouter, createRoute, hint, json, z } from '../openapi/route.ts'

const DAY = 86_400_000
const MAX_SPAN_MS = 62 * DAY
const MAX_ALARMS = 100_000
const Query = z.strictObject({
  from: TimeParam.optional(),
  to: TimeParam.optional(),
  enterprise: TopicId.optional(),
  /** Seconds: an alarm recovered within this of raising is fleeting (瞬闪). */
  fleeting: z
    .string()
    .regex(/^\d{1,5}$/, 'seconds, a whole number')
    .transform(Number)
    .pipe(z.number().int().min(1).max(3600))
    .default(60),
})
const HINT =
  'from, to: epoch ms or ISO-8601 with a zone (default: the last 7 days; at most 62 days); enterprise: an enterprise id; fleeting: seconds (default 60)'

const route = createRoute({
  method: 'get',
  path: '/kpi/park',
  tags: ['alarms'],
  summary:
    "The park's alarm KPI model (001:L3335) per day and on average, with the ISA-18.2 flood share and chattering points",
  middleware: [hint(HINT)] as const,
  request: { query: Query },
  responses: { 200: json('the KPIs per day, per hour and on average'), ...REFUSALS },
})

/**
 * GET /api/v1/kpi/park?from=&to=&enterprise=&fleeting= — cloud/alarms/park-kpi.ts over the alarms
 * raised in the range, within the identity's scope (an enterprise identity asking for another
 * enterprise is refused), plus cloud/alarms/kpi.ts's ISA-18.2 figures (flood %, chattering).
 */
export function kpiRoutes(deps: ApiDeps): OpenAPIHono {
  const app = apiRouter()
  const utcOffset = deps.board?.utcOffset ?? '+08:00'
  app.openapi(route, async (c) => {
    const q = c.req.valid('query')
    ownEnterprise(c, q.enterprise)
    const now = deps.clock.now()
    const to = q.to ?? now
    const from = q.from ?? to - 7 * DAY
    if (!(from < to)) throw badRequest(`from (${from}) must be before to (${to})`, HINT)
    if (to - from > MAX_SPAN_MS) throw badRequest('the range is longer than 62 days', HINT)
    const alarms = await deps.store.listAlarms({
      scope: scope(c),
      state: 'all',
      raisedFrom: from,
      raisedTo: to,
      limit: MAX_ALARMS,
      ...(q.enterprise === undefined ? {} : { enterprise: q.enterprise }),
    })
    const range = { from, to }
    const isa = computeKpis(alarms, range, now)
    return c.json({
      ...parkKpis(alarms, range, { offsetMs: offsetMs(utcOffset), fleetingMs: q.fleeting * 1000, now }),
      enterprise: q.enterprise ?? null,
      fleetingS: q.fleeting,
      truncated: alarms.length >= MAX_ALARMS,
      isa: { floodPercent: isa.floodPercent, chattering: isa.chattering, suppressedRepeats: isa.suppressedRepeats },
    })
  })
  return app
}
