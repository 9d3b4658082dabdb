import { Hono } from 'hono'
import { z } from 'zod'
import { TopicId } from '../../../shared/wire/ids.ts'
import type { ApiDeps } from '../deps.ts'
import { badRequest, notFound } from '../errors.ts'
import { idParam } from '../body.ts'
import { parseQuery } from '../params.ts'

const CamerasQuery = z.strictObject({ area: z.string().min(1).max(64).optional(), enterprise: TopicId.optional() })

/**
 * GET /api/v1/cameras[?area=&enterprise=] — registry entries with online state and the edge
 * driver's health (its last error says why a camera is not working);
 * GET /api/v1/alarms/{id}/snapshots — the pictures taken for an alarm;
 * GET /api/v1/snapshots/{id} — one JPEG.
 */
export function cameraRoutes(deps: ApiDeps): Hono {
  const app = new Hono()
  app.get('/cameras', async (c) => {
    const q = parseQuery(c, CamerasQuery, 'area (the area a camera watches), enterprise')
    const now = deps.clock.now()
    const drivers = new Map((await deps.store.listEdges()).flatMap((e) => e.drivers.map((d) => [`${e.id}/${d.device}`, d] as const)))
    const list = (await deps.store.listCameras()).filter((cam) => (q.area === undefined || cam.area === q.area) && (q.enterprise === undefined || cam.enterprise === q.enterprise))
    return c.json(
      list.map((cam) => {
        const d = drivers.get(`${cam.edge}/${cam.id}`)
        return {
          ...cam,
          offlineForMs: cam.online === false && cam.since !== null ? Math.max(0, now - cam.since) : null,
          driver: d ? { state: d.state, since: d.since, lastError: d.lastError } : null,
        }
      }),
    )
  })
  app.get('/alarms/:id/snapshots', async (c) => {
    const id = idParam(c, 'an alarm')
    const list = await deps.store.alarmSnapshots(id)
    if (list === null) throw notFound(`no alarm ${id}`)
    return c.json(list.map((s) => ({ ...s, url: `/api/v1/snapshots/${s.id}` })))
  })
  app.get('/snapshots/:id', async (c) => {
    const id = c.req.param('id')
    if (!/^[0-9a-f-]{36}$/.test(id)) throw badRequest(`"${id}" is not a snapshot id`, 'snapshot ids are uuids, as listed by /api/v1/alarms/{id}/snapshots')
    const found = await deps.store.getSnapshot(id)
    if (!found) throw notFound(`no snapshot ${id}`, 'list an alarm\'s snapshots with /api/v1/alarms/{id}/snapshots')
    return c.body(new Uint8Array(found.body), 200, { 'Content-Type': 'image/jpeg', 'Content-Length': String(found.body.length), 'Cache-Control': 'private, max-age=86400, immutable' })
  })
  return app
}
