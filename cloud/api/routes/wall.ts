import type { OpenAPIHono } from '@hono/zod-openapi'
import type { Context } from 'hono'
import { dayStartAt, wallGasWarnings, wallSummary } from '../../alarms/wall.ts'
import { disposalOf } from '../alarm-view.ts'
import { isOverdue } from '../../alarms/workflow.ts'
import { completeness } from '../../telemetry/completeness.ts'
import type { Area, Enterprise, HazardSource } from '../../registry/model.ts'
import { scope } from '../access.ts'
import type { ApiDeps } from '../deps.ts'
import { DEFAULT_EDGE_OFFLINE_AFTER_MS, edgeView } from './edges.ts'
import { REFUSALS, apiRouter, createRoute, json, z } from '../openapi/route.ts'

const MAX_ALARMS = 100_000
/** Open gas-leak warnings listed on the wall (one per area at most: far fewer). */
const MAX_GAS_WARNINGS = 200
const DAY = 86_400_000
/** Completeness today is counted in 5-minute intervals (brief §3: every point at least every 5 min). */
const COMPLETENESS_STEP = 300_000

const route = createRoute({
  method: 'get',
  path: '/',
  tags: ['alarms'],
  summary:
    "The wall display's summary: today's alarms by priority, active, overdue, disposal rate, edges and enterprises online, completeness today, alarms per hour (24 h), top points, the plan's entries lit by their worst active alarm, and the open gas-leak warnings by colour (gasWarnings)",
  request: { query: z.strictObject({}) },
  responses: { 200: json('the summary'), ...REFUSALS },
})

/** Registry coordinates on the plan, where an entry has them (x, y in 0…1; absent: the wall lays entries out on a grid). */
const coordinates = (e: object) => {
  const { x, y } = e as { x?: unknown; y?: unknown }
  return typeof x === 'number' && typeof y === 'number' ? { x, y } : {}
}

/**
 * GET /api/v1/wall — one answer for the wall display (cloud/alarms/wall.ts), within the
 * identity's scope: an enterprise identity sees its own alarms, hazard sources and edges.
 */
export function wallRoutes(deps: ApiDeps): OpenAPIHono {
  const app = apiRouter()
  const utcOffset = deps.board?.utcOffset ?? '+08:00'
  app.openapi(route, async (c) => {
    const now = deps.clock.now()
    const visible = scope(c)
    const dayStart = dayStartAt(now, utcOffset)
    const since = Math.min(dayStart, now - DAY)
    const [recent, open, points, enterprises, sources, cameras, image, gas, areas] = await Promise.all([
      deps.store.listAlarms({ scope: visible, state: 'all', raisedFrom: since, limit: MAX_ALARMS }),
      deps.store.listAlarms({ scope: visible, state: 'open', limit: MAX_ALARMS }),
      deps.store.listPoints({ scope: visible }),
      deps.store.registry.list('enterprises', visible) as Promise<Enterprise[]>,
      deps.store.registry.list('hazardSources', visible) as Promise<HazardSource[]>,
      deps.store.listCameras(visible),
      deps.store.plan.info(),
      deps.store.listGasWarnings({ scope: visible, state: 'open', limit: MAX_GAS_WARNINGS }),
      deps.store.registry.list('areas', visible) as Promise<Area[]>,
    ])
    const hazardSourceOf = new Map(points.flatMap((p) => (p.hazardSource ? [[p.id, p.hazardSource] as const] : [])))
    const summary = wallSummary({
      now,
      utcOffset,
      recent,
      open,
      overdue: (a) => isOverdue(disposalOf(a), now),
      hazardSourceOf,
    })
    const today = completeness(
      await deps.store.completenessIntervals(
        { from: dayStart, to: Math.max(now, dayStart + 1), step: COMPLETENESS_STEP },
        visible,
      ),
      { from: dayStart, to: Math.max(now, dayStart + 1), step: COMPLETENESS_STEP },
    )
    const connected = new Set(today.enterprises.filter((e) => e.connected).map((e) => e.id))
    const edges = await visibleEdges(c, deps, now)
    return c.json({
      ...summary,
      edges: { online: edges.filter((e) => e.online).length, total: edges.length },
      enterprises: { online: enterprises.filter((e) => connected.has(e.id)).length, total: enterprises.length },
      completenessToday: today.park.completeness,
      gasWarnings: wallGasWarnings(gas, new Map(areas.map((a) => [a.id, a.name]))),
      plan: {
        enterprises: enterprises.map((e) => ({
          id: e.id,
          name: e.name,
          online: connected.has(e.id),
          ...coordinates(e),
          ...(summary.lit.enterprises[e.id] ?? { worst: null, active: 0 }),
        })),
        hazardSources: sources.map((s) => ({
          id: s.id,
          enterprise: s.enterprise,
          name: s.name,
          level: s.level,
          ...coordinates(s),
          ...(summary.lit.hazardSources[s.id] ?? { worst: null, active: 0 }),
        })),
        // Cameras are drawn only where placed (no grid for them); lit by their alarms, OFFLINE marked.
        cameras: cameras
          .filter((cam) => cam.x !== undefined && cam.y !== undefined)
          .map((cam) => ({
            id: cam.id,
            name: cam.name ?? cam.id,
            enterprise: cam.enterprise,
            x: cam.x,
            y: cam.y,
            offline: summary.camerasOffline.includes(cam.id),
            ...(summary.lit.cameras[cam.id] ?? { worst: null, active: 0 }),
          })),
        image: image && { url: '/api/v1/plan/image', type: image.type, sha256: image.sha256 },
      },
    })
  })
  return app
}

/** The edges the identity may count: all for the park, an enterprise's own (registry binding) for it. */
async function visibleEdges(c: Context, deps: ApiDeps, now: number) {
  const visible = scope(c)
  const all = (await deps.store.listEdges()).map((e) =>
    edgeView(e, now, deps.edgeOfflineAfterMs ?? DEFAULT_EDGE_OFFLINE_AFTER_MS),
  )
  if (visible === 'all') return all
  const own = new Set((await deps.store.registry.list('edges', visible)).map((e) => e.id))
  return all.filter((e) => own.has(e.id))
}
