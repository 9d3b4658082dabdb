import { Hono } from 'hono'
import { z } from 'zod'
import { TopicId } from '../../../shared/wire/ids.ts'
import { limitsMatchSource } from '../../alarms/source-limits.ts'
import type { PointRecord } from '../../store/store.ts'
import type { ApiDeps } from '../deps.ts'
import { badRequest, notFound } from '../errors.ts'
import { intParam, parseQuery, TimeParam } from '../params.ts'
import { ownEnterprise, scope } from '../access.ts'
import type { Context } from 'hono'

export const HISTORY_DEFAULT_SPAN_MS = 3_600_000
export const HISTORY_DEFAULT_LIMIT = 10_000
export const HISTORY_MAX_LIMIT = 100_000

export function pointView(p: PointRecord) {
  const l = p.limits
  return {
    id: p.id,
    name: p.name,
    unit: p.unit,
    enterprise: p.enterprise,
    class: p.class,
    edge: p.edge,
    device: p.device,
    registered: p.registered,
    limits: l === null ? null : { hh: l.hh ?? null, h: l.h ?? null, l: l.l ?? null, ll: l.ll ?? null, deadband: l.deadband },
    limitsFrom: p.limitsFrom,
    /** Measuring range and alarm limits as the control system announced them (null: not announced). */
    range: p.range,
    sourceLimits: p.sourceLimits === null ? null : { hh: p.sourceLimits.hh ?? null, h: p.sourceLimits.h ?? null, l: p.sourceLimits.l ?? null, ll: p.sourceLimits.ll ?? null },
    /** false: the park's thresholds differ from the control room's (brief §2); null: nothing to compare. */
    limitsMatchSource: limitsMatchSource(p.limits, p.sourceLimits),
    latest: p.latest,
  }
}

const ListQuery = z.strictObject({ enterprise: TopicId.optional() })
const HistoryQuery = z.strictObject({ from: TimeParam.optional(), to: TimeParam.optional(), limit: intParam(HISTORY_DEFAULT_LIMIT, HISTORY_MAX_LIMIT) })
const HISTORY_HINT = `from, to: epoch ms or ISO-8601 with a zone (default: the last hour); limit: 1–${HISTORY_MAX_LIMIT} (default ${HISTORY_DEFAULT_LIMIT})`

/** GET /api/v1/points, /points/:id, /points/:id/history */
export function pointsRoutes(deps: ApiDeps): Hono {
  const app = new Hono()

  app.get('/', async (c) => {
    const q = parseQuery(c, ListQuery, 'enterprise: an enterprise id (optional)')
    ownEnterprise(c, q.enterprise)
    const list = await deps.store.listPoints({ scope: scope(c), ...(q.enterprise === undefined ? {} : { enterprise: q.enterprise }) })
    return c.json(list.map(pointView))
  })

  async function findPoint(c: Context, id: string): Promise<PointRecord> {
    const point = await deps.store.getPoint(id, scope(c))
    if (!point) throw notFound(`no point "${id}"`, 'GET /api/v1/points lists the known points')
    return point
  }

  app.get('/:id', async (c) => {
    parseQuery(c, z.strictObject({}), 'this route takes no query parameters')
    return c.json(pointView(await findPoint(c, c.req.param('id'))))
  })

  app.get('/:id/history', async (c) => {
    const q = parseQuery(c, HistoryQuery, HISTORY_HINT)
    const point = await findPoint(c, c.req.param('id'))
    const to = q.to ?? (q.from === undefined ? deps.clock.now() : Math.max(deps.clock.now(), q.from))
    const from = q.from ?? to - HISTORY_DEFAULT_SPAN_MS
    if (from > to) throw badRequest(`from (${from}) is after to (${to})`, HISTORY_HINT)
    // One more than asked tells whether the answer was cut short.
    const rows = await deps.store.history(point.id, { from, to, limit: q.limit + 1 }, scope(c))
    const truncated = rows.length > q.limit
    return c.json({ point: point.id, from, to, limit: q.limit, truncated, samples: truncated ? rows.slice(0, q.limit) : rows })
  })

  return app
}
