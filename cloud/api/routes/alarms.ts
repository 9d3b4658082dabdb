import { Hono } from 'hono'
import { z } from 'zod'
import { PointId } from '../../../shared/wire/ids.ts'
import type { ApiDeps } from '../deps.ts'
import { intParam, parseQuery } from '../params.ts'

export const ALARMS_DEFAULT_LIMIT = 1_000
export const ALARMS_MAX_LIMIT = 10_000

const AlarmsQuery = z.strictObject({
  state: z.enum(['active', 'all']).default('active'),
  point: PointId.optional(),
  limit: intParam(ALARMS_DEFAULT_LIMIT, ALARMS_MAX_LIMIT),
})

/** GET /api/v1/alarms?state=active|all&point=&limit= — newest first. */
export function alarmsRoutes(deps: ApiDeps): Hono {
  const app = new Hono()
  app.get('/', async (c) => {
    const q = parseQuery(c, AlarmsQuery, `state: active (default) or all; point: a point id; limit: 1–${ALARMS_MAX_LIMIT} (default ${ALARMS_DEFAULT_LIMIT})`)
    const list = await deps.store.listAlarms({ state: q.state, limit: q.limit, ...(q.point === undefined ? {} : { point: q.point }) })
    return c.json(list)
  })
  return app
}
