import type { OpenAPIHono } from '@hono/zod-openapi'
import { TopicId } from '../../../shared/wire/ids.ts'
import { limitsMatchSource } from '../../alarms/source-limits.ts'
import type { PointRecord } from '../../store/store.ts'
import { PointClass } from '../../../shared/rules/priority.ts'
import type { ApiDeps } from '../deps.ts'
import { notFound } from '../errors.ts'
import { IdParams, REFUSALS, apiRouter, createRoute, hint, json, z } from '../openapi/route.ts'
import { HISTORY_HINT, HistoryQuery, historyHandler } from './history.ts'
import { ownEnterprise, scope } from '../access.ts'
import type { Context } from 'hono'

export function pointView(p: PointRecord) {
  const l = p.limits
  return {
    id: p.id,
    name: p.name,
    unit: p.unit,
    enterprise: p.enterprise,
    class: p.class,
    hazardSource: p.hazardSource,
    area: p.area,
    edge: p.edge,
    device: p.device,
    registered: p.registered,
    limits:
      l === null ? null : { hh: l.hh ?? null, h: l.h ?? null, l: l.l ?? null, ll: l.ll ?? null, deadband: l.deadband },
    limitsFrom: p.limitsFrom,
    /** Measuring range and alarm limits as the control system announced them (null: not announced). */
    range: p.range,
    sourceLimits:
      p.sourceLimits === null
        ? null
        : {
            hh: p.sourceLimits.hh ?? null,
            h: p.sourceLimits.h ?? null,
            l: p.sourceLimits.l ?? null,
            ll: p.sourceLimits.ll ?? null,
          },
    /** false: the park's thresholds differ from the control room's (brief §2); null: nothing to compare. */
    limitsMatchSource: limitsMatchSource(p.limits, p.sourceLimits),
    latest: p.latest,
  }
}

const ListQuery = z.strictObject({
  enterprise: TopicId.optional(),
  hazardSource: TopicId.optional(),
  area: TopicId.optional(),
  class: PointClass.optional(),
})

const NOT_FOUND = { 404: json("no such point, or another enterprise's") }
const routes = {
  list: createRoute({
    method: 'get',
    path: '/',
    tags: ['points'],
    summary: 'Each point: registry fields, limits, source limits, latest value',
    middleware: [
      hint('enterprise, hazardSource, area: registry ids; class: authorised|mhs|process|gas|general (all optional)'),
    ] as const,
    request: { query: ListQuery },
    responses: { 200: json('the points'), ...REFUSALS },
  }),
  one: createRoute({
    method: 'get',
    path: '/{id}',
    tags: ['points'],
    summary: 'One point',
    request: { params: IdParams, query: z.strictObject({}) },
    responses: { 200: json('the point'), ...REFUSALS, ...NOT_FOUND },
  }),
  history: createRoute({
    method: 'get',
    path: '/{id}/history',
    tags: ['points'],
    summary: 'Stored samples (paged) or aggregated buckets (step or buckets), JSON or CSV',
    middleware: [hint(HISTORY_HINT)] as const,
    request: { params: IdParams, query: HistoryQuery },
    responses: {
      200: {
        description: 'samples or buckets (JSON), or CSV with format=csv',
        content: { 'application/json': { schema: z.unknown() }, 'text/csv': { schema: z.string() } },
      },
      ...REFUSALS,
      ...NOT_FOUND,
    },
  }),
}

/** GET /api/v1/points, /points/:id, /points/:id/history */
export function pointsRoutes(deps: ApiDeps): OpenAPIHono {
  const app = apiRouter()

  app.openapi(routes.list, async (c) => {
    const q = c.req.valid('query')
    ownEnterprise(c, q.enterprise)
    const { enterprise, hazardSource, area, class: cls } = q
    const list = await deps.store.listPoints({
      scope: scope(c),
      ...(enterprise === undefined ? {} : { enterprise }),
      ...(hazardSource === undefined ? {} : { hazardSource }),
      ...(area === undefined ? {} : { area }),
      ...(cls === undefined ? {} : { class: cls }),
    })
    return c.json(list.map(pointView))
  })

  async function findPoint(c: Context, id: string): Promise<PointRecord> {
    const point = await deps.store.getPoint(id, scope(c))
    if (!point) throw notFound(`no point "${id}"`, 'GET /api/v1/points lists the known points')
    return point
  }

  app.openapi(routes.one, async (c) => {
    return c.json(pointView(await findPoint(c, c.req.param('id'))))
  })

  app.openapi(routes.history, historyHandler(deps, findPoint))

  return app
}
