import type { OpenAPIHono } from '@hono/zod-openapi'
import { TopicId } from '../../../shared/wire/ids.ts'
import { offlineByEnterprise } from '../../registry/camera-offline.ts'
import { ownEnterprise, scope } from '../access.ts'
import type { ApiDeps } from '../deps.ts'
import { badRequest } from '../errors.ts'
import { REFUSALS, createRoute, hint, json, z } from '../openapi/route.ts'

const DAY = 86_400_000
/** A period longer than this is refused (the history is read whole). */
const MAX_PERIOD = 92 * DAY

const Query = z.strictObject({
  from: z.coerce.number().int().nonnegative().optional(),
  to: z.coerce.number().int().nonnegative().optional(),
  enterprise: TopicId.optional(),
})

const route = createRoute({
  method: 'get',
  path: '/cameras/offline',
  tags: ['cameras'],
  summary:
    'Cameras offline per enterprise (001:L4541): total, offline now (which, since when), offline rate, and over [from, to) the times cameras went offline and the offline time (default: the last 24 h)',
  middleware: [hint('from, to (epoch ms; default the last 24 h, at most 92 days), enterprise')] as const,
  request: { query: Query },
  responses: { 200: json('one entry per enterprise, most cameras offline first'), ...REFUSALS },
})

/** GET /api/v1/cameras/offline — scoped like the camera list (an enterprise sees its own). */
export function cameraOfflineRoute(app: OpenAPIHono, deps: ApiDeps): void {
  app.openapi(route, async (c) => {
    const q = c.req.valid('query')
    ownEnterprise(c, q.enterprise)
    const now = deps.clock.now()
    const to = q.to ?? now
    const from = q.from ?? to - DAY
    if (from >= to || to - from > MAX_PERIOD)
      throw badRequest(
        `the period ${from}…${to} is empty or longer than 92 days`,
        'send from < to (epoch ms), at most 92 days apart',
      )
    const visible = q.enterprise === undefined ? scope(c) : { enterprise: q.enterprise }
    const [cameras, history] = await Promise.all([
      deps.store.listCameras(visible),
      deps.store.cameraStatusHistory({ from, to }, visible),
    ])
    return c.json({ from, to, enterprises: offlineByEnterprise(cameras, history, { from, to }, now) }, 200)
  })
}
