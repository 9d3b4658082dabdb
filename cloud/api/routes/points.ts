import { Hono } from 'hono'
import { z } from 'zod'
import { TopicId } from '../../../shared/wire/ids.ts'
import { limitsMatchSource } from '../../alarms/source-limits.ts'
import type { PointRecord } from '../../store/store.ts'
import type { ApiDeps } from '../deps.ts'
import { notFound } from '../errors.ts'
import { parseQuery } from '../params.ts'
import { historyHandler } from './history.ts'
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

  app.get('/:id/history', historyHandler(deps, findPoint))

  return app
}
