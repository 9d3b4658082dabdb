import type { OpenAPIHono } from '@hono/zod-openapi'
import type { EdgeRecord } from '../../store/store.ts'
import type { ApiDeps } from '../deps.ts'
import { REFUSALS, apiRouter, createRoute, json, z } from '../openapi/route.ts'

export const DEFAULT_EDGE_OFFLINE_AFTER_MS = 60_000

/**
 * An edge is online when its last status said so AND it was heard from (status or data) within
 * the staleness window: a will that never arrives (broker restart, network partition) must not
 * leave an edge shown online forever.
 */
export function edgeView(e: EdgeRecord, now: number, offlineAfterMs: number) {
  const stale = e.lastSeen === null || now - e.lastSeen > offlineAfterMs
  const online = e.online && !stale
  return {
    id: e.id,
    site: e.site,
    online,
    /** Why it is offline: "death" (it or its last will said so) or "silent" (not heard from in time). */
    offlineReason: online ? null : !e.online ? 'death' : 'silent',
    lastSeen: e.lastSeen,
    session: e.session,
    outbox: e.outbox,
    ackedThrough: e.ackedThrough,
    configHash: e.configHash,
    drivers: e.drivers,
  }
}

/** GET /api/v1/edges */
const list = createRoute({
  method: 'get', path: '/', tags: ['edges'], summary: 'Each edge: online/offline, last seen, session, outbox depth, acked seq, drivers',
  request: { query: z.strictObject({}) },
  responses: { 200: json('the edges'), ...REFUSALS },
})

export function edgesRoutes(deps: ApiDeps): OpenAPIHono {
  const app = apiRouter()
  app.openapi(list, async (c) => {
    const now = deps.clock.now()
    const offlineAfter = deps.edgeOfflineAfterMs ?? DEFAULT_EDGE_OFFLINE_AFTER_MS
    return c.json((await deps.store.listEdges()).map((e) => edgeView(e, now, offlineAfter)))
  })
  return app
}
