import type { OpenAPIHono } from '@hono/zod-openapi'
import { boardZones, shiftStartAt } from '../../alarms/board.ts'
import { computeKpis } from '../../alarms/kpi.ts'
import { alarmView } from '../alarm-view.ts'
import type { ApiDeps } from '../deps.ts'
import { badRequest } from '../errors.ts'
import { TimeParam } from '../params.ts'
import { REFUSALS, apiRouter, createRoute, hint, json, z } from '../openapi/route.ts'
import { scope } from '../access.ts'

const MAX_ALARMS = 100_000
const KpiQuery = z.strictObject({
  from: TimeParam.optional(),
  to: TimeParam.optional(),
  by: z.enum(['enterprise', 'point', 'priority']).default('priority'),
})

/** GET /api/v1/board (the big screen's zones) and GET /api/v1/kpi/alarms (alarm management KPIs), both within the identity's scope. */
const KPI_HINT = 'from, to: epoch ms or ISO-8601 with a zone (default: the last 24 h); by: enterprise|point|priority'
const routes = {
  board: createRoute({
    method: 'get',
    path: '/board',
    tags: ['alarms'],
    summary: "The big screen's zones: on screen, observation, recovered not closed, carried over, shelved",
    request: { query: z.strictObject({}) },
    responses: { 200: json('the zones'), ...REFUSALS },
  }),
  kpi: createRoute({
    method: 'get',
    path: '/kpi/alarms',
    tags: ['alarms'],
    summary: 'Alarm management KPIs over a range',
    middleware: [hint(KPI_HINT)] as const,
    request: { query: KpiQuery },
    responses: { 200: json('the KPIs'), ...REFUSALS },
  }),
}

export function boardRoutes(deps: ApiDeps): OpenAPIHono {
  const app = apiRouter()
  const board = deps.board ?? { shiftChanges: ['08:00', '20:00'], utcOffset: '+08:00' }

  app.openapi(routes.board, async (c) => {
    const now = deps.clock.now()
    const open = await deps.store.listAlarms({ scope: scope(c), state: 'open', limit: MAX_ALARMS })
    const z0 = boardZones(open, shiftStartAt(now, board.shiftChanges, board.utcOffset))
    const view = (list: typeof open) => list.map((a) => alarmView(a, now))
    return c.json({
      at: now,
      shiftStart: z0.shiftStart,
      onScreen: view(z0.onScreen),
      observation: view(z0.observation),
      recoveredNotClosed: view(z0.recoveredNotClosed),
      carriedOver: view(z0.carriedOver),
      shelved: view(z0.shelved),
    })
  })

  app.openapi(routes.kpi, async (c) => {
    const q = c.req.valid('query')
    const now = deps.clock.now()
    const to = q.to ?? now
    const from = q.from ?? to - 86_400_000
    if (!(from < to)) throw badRequest('from must be before to')
    // Alarms raised in the range, plus the open ones (for the stale count).
    const inRange = await deps.store.listAlarms({
      scope: scope(c),
      state: 'all',
      raisedFrom: from,
      raisedTo: to,
      limit: MAX_ALARMS,
    })
    const open = await deps.store.listAlarms({ scope: scope(c), state: 'open', limit: MAX_ALARMS })
    const all = [...new Map([...inRange, ...open].map((a) => [a.id, a])).values()]
    return c.json(computeKpis(all, { from, to }, now, q.by))
  })
  return app
}
