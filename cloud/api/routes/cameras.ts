import type { OpenAPIHono } from '@hono/zod-openapi'
import { TopicId } from '../../../shared/wire/ids.ts'
import type { ApiDeps } from '../deps.ts'
import { badRequest, notFound } from '../errors.ts'
import { idParam } from '../body.ts'
import { IdParams, REFUSALS, apiRouter, createRoute, hint, json, jsonBody, z } from '../openapi/route.ts'
import { randomUUID } from 'node:crypto'
import { actorOf, audited, ownEnterprise, scope } from '../access.ts'
import { DEFAULT_EDGE_OFFLINE_AFTER_MS, edgeView } from './edges.ts'
import { cameraOfflineRoute } from './camera-offline.ts'
import { liveUrlOf } from '../live-view.ts'

const CamerasQuery = z.strictObject({ area: z.string().min(1).max(64).optional(), enterprise: TopicId.optional() })
const SnapshotAsk = z
  .strictObject({ area: z.string().min(1).max(64).optional(), cameras: z.array(TopicId).min(1).max(64).optional() })
  .refine((b) => b.area !== undefined || b.cameras !== undefined, { message: 'name an area or cameras' })
const SNAPSHOT_ASK_HINT = 'send {"area": "PG-01"} (the cameras of an area) or {"cameras": ["cam-gate"]}'

/**
 * GET /api/v1/cameras[?area=&enterprise=] — registry entries with online state, the edge
 * driver's health (its last error says why a camera is not working) and the newest snapshot;
 * GET /api/v1/cameras/offline — offline statistics per enterprise (camera-offline.ts);
 * GET /api/v1/alarms/{id}/snapshots — the pictures taken for an alarm;
 * GET /api/v1/snapshots/{id} — one JPEG;
 * POST /api/v1/cameras/{id}/live-token — a viewer token (60 s) for the edge's live view of a camera.
 */
const NOT_FOUND = { 404: json("no such alarm or snapshot, or another enterprise's") }
const routes = {
  cameras: createRoute({
    method: 'get',
    path: '/cameras',
    tags: ['cameras'],
    summary: "Cameras: registry entry, online state, the edge driver's health",
    middleware: [hint('area (the area a camera watches), enterprise')] as const,
    request: { query: CamerasQuery },
    responses: { 200: json('the cameras'), ...REFUSALS },
  }),
  snapshots: createRoute({
    method: 'get',
    path: '/alarms/{id}/snapshots',
    tags: ['cameras'],
    summary: 'The pictures taken for an alarm',
    request: { params: IdParams },
    responses: { 200: json('the snapshots, each with its url'), ...REFUSALS, ...NOT_FOUND },
  }),
  ask: createRoute({
    method: 'post',
    path: '/alarms/{id}/snapshots',
    tags: ['cameras'],
    summary: 'Ask the cameras of an area (or named ones) for pictures for an alarm',
    middleware: [hint(SNAPSHOT_ASK_HINT)] as const,
    request: { params: IdParams, body: jsonBody(SnapshotAsk) },
    responses: { 202: json('what was requested from which edge'), ...REFUSALS, ...NOT_FOUND },
  }),
  liveToken: createRoute({
    method: 'post',
    path: '/cameras/{id}/live-token',
    tags: ['cameras'],
    summary: 'A viewer token for the live view of a camera at its edge (valid 60 s to open the stream)',
    request: { params: IdParams },
    responses: {
      200: json(
        "the token, its expiry, the camera's edge, the relay path, and the url the dashboard opens (`{url}?token=`; null with `unavailable` when the edge announced none the cloud's live.dashboardOrigins lists)",
      ),
      ...REFUSALS,
      404: json("no such camera, or another enterprise's"),
    },
  }),
  snapshot: createRoute({
    method: 'get',
    path: '/snapshots/{id}',
    tags: ['cameras'],
    summary: 'One JPEG',
    request: { params: IdParams },
    responses: {
      200: {
        description: 'the picture',
        content: { 'image/jpeg': { schema: z.string().openapi({ format: 'binary' }) } },
      },
      ...REFUSALS,
      ...NOT_FOUND,
    },
  }),
}

const snapshotOf = (s: { id: string; ts: number } | undefined) =>
  s ? { id: s.id, ts: s.ts, url: `/api/v1/snapshots/${s.id}` } : null

export function cameraRoutes(deps: ApiDeps): OpenAPIHono {
  const app = apiRouter()
  // Before /cameras/{id}/…: its path is literal.
  cameraOfflineRoute(app, deps)
  app.openapi(routes.cameras, async (c) => {
    const q = c.req.valid('query')
    ownEnterprise(c, q.enterprise)
    const now = deps.clock.now()
    const edges = await deps.store.listEdges()
    const drivers = new Map(edges.flatMap((e) => e.drivers.map((d) => [`${e.id}/${d.device}`, d] as const)))
    // A camera's state is as its edge last reported it: say whether that edge is still heard from.
    const edgeOnline = new Map(
      edges.map((e) => [e.id, edgeView(e, now, deps.edgeOfflineAfterMs ?? DEFAULT_EDGE_OFFLINE_AFTER_MS).online]),
    )
    const latest = new Map((await deps.store.latestSnapshots(scope(c))).map((s) => [s.camera, s]))
    const list = (await deps.store.listCameras(scope(c))).filter(
      (cam) =>
        (q.area === undefined || cam.area === q.area) &&
        (q.enterprise === undefined || cam.enterprise === q.enterprise),
    )
    return c.json(
      list.map((cam) => {
        const d = drivers.get(`${cam.edge}/${cam.id}`)
        return {
          ...cam,
          edgeOnline: edgeOnline.get(cam.edge) ?? false,
          offlineForMs: cam.online === false && cam.since !== null ? Math.max(0, now - cam.since) : null,
          driver: d ? { state: d.state, since: d.since, lastError: d.lastError } : null,
          lastSnapshot: snapshotOf(latest.get(cam.id)),
        }
      }),
    )
  })
  app.openapi(routes.snapshots, async (c) => {
    const id = idParam(c, 'an alarm')
    const list = await deps.store.alarmSnapshots(id, scope(c))
    if (list === null) throw notFound(`no alarm ${id}`)
    return c.json(list.map((s) => ({ ...s, url: `/api/v1/snapshots/${s.id}` })))
  })
  // The park asks for pictures for any alarm: from the cameras of an area, or named ones.
  app.openapi(routes.ask, async (c) => {
    const id = idParam(c, 'an alarm')
    const body = c.req.valid('json')
    if (!deps.requestSnapshots)
      throw badRequest('this service cannot reach edges (no MQTT)', 'run the cloud service with its broker')
    if (!(await deps.store.getAlarm(id, scope(c)))) throw notFound(`no alarm ${id}`)
    const chosen = (await deps.store.listCameras(scope(c))).filter(
      (cam) => (body.area !== undefined && cam.area === body.area) || (body.cameras?.includes(cam.id) ?? false),
    )
    if (chosen.length === 0)
      throw notFound(
        `no camera ${body.area !== undefined ? `in area "${body.area}"` : `named ${body.cameras!.join(', ')}`}`,
        'list cameras and their areas with GET /api/v1/cameras',
      )
    const byEdge = new Map<string, typeof chosen>()
    for (const cam of chosen) byEdge.set(cam.edge, [...(byEdge.get(cam.edge) ?? []), cam])
    const requested = [...byEdge.values()].flatMap((cams) => {
      const request = {
        id: randomUUID(),
        edge: cams[0]!.edge,
        alarm: id,
        cameras: cams.map((x) => x.id),
        ts: deps.clock.now(),
      }
      const sent = deps.requestSnapshots!(cams[0]!.site, request)
      return cams.map((cam) => ({ camera: cam.id, edge: cam.edge, request: request.id, sent }))
    })
    return c.json(
      {
        alarm: id,
        requested,
        hint: 'the pictures appear under GET /api/v1/alarms/{id}/snapshots once the edges have sent them',
      },
      202,
    )
  })
  // Scoped as the camera's alarms: a camera outside the identity's enterprise is unknown (404).
  app.openapi(routes.liveToken, async (c) => {
    const id = c.req.param('id')
    if (!deps.liveTokens)
      throw badRequest('this service issues no live view tokens', 'run the cloud service (it loads its live view key)')
    const camera = (await deps.store.listCameras(scope(c))).find((cam) => cam.id === id)
    if (!camera)
      throw notFound('no such camera among the ones this identity sees', 'list cameras with GET /api/v1/cameras')
    const issued = await deps.liveTokens(camera.id, actorOf(c), deps.clock.now())
    audited(c, { target: `camera:${camera.id}` })
    // The token is issued either way (a client that knows the relay's address may use `path`);
    // `url` is where the dashboard may open it, or null with the reason (live-view.ts).
    const edge = (await deps.store.listEdges()).find((e) => e.id === camera.edge) ?? { id: camera.edge }
    const where = liveUrlOf(edge, camera.id, deps.live?.dashboardOrigins ?? [])
    if ('refusal' in where) deps.metrics.http.refused[where.refusal]++
    return c.json(
      {
        camera: camera.id,
        edge: camera.edge,
        ...issued,
        path: `/live/${camera.id}?token=${issued.token}`,
        url: 'url' in where ? where.url : null,
        unavailable:
          'error' in where
            ? { code: where.error.code, message: where.error.message, hint: where.error.hint ?? null }
            : null,
      },
      200,
    )
  })
  app.openapi(routes.snapshot, async (c) => {
    const id = c.req.param('id')
    if (!/^[0-9a-f-]{36}$/.test(id))
      throw badRequest(
        `"${id}" is not a snapshot id`,
        'snapshot ids are uuids, as listed by /api/v1/alarms/{id}/snapshots',
      )
    const found = await deps.store.getSnapshot(id, scope(c))
    if (!found) throw notFound(`no snapshot ${id}`, "list an alarm's snapshots with /api/v1/alarms/{id}/snapshots")
    return c.body(new Uint8Array(found.body), 200, {
      'Content-Type': 'image/jpeg',
      'Content-Length': String(found.body.length),
      'Cache-Control': 'private, max-age=86400, immutable',
    })
  })
  return app
}
