import type { OpenAPIHono } from '@hono/zod-openapi'
import type { Context } from 'hono'
import type { Scope } from '../../auth/roles.ts'
import { IdParams, REFUSALS, apiRouter, createRoute, hint, json, jsonBody, z } from '../openapi/route.ts'
import { ErrorCodes } from '../../../shared/errors.ts'
import { TopicId } from '../../../shared/wire/ids.ts'
import { parsePointsCsv, pointsToCsv } from '../../registry/csv.ts'
import {
  AreaBody,
  AreaPatch,
  DeviceBody,
  DevicePatch,
  EdgeBody,
  EdgePatch,
  EnterpriseBody,
  EnterprisePatch,
  HazardSourceBody,
  HazardSourcePatch,
  MoveBody,
  PointPatch,
} from '../../registry/model.ts'
import { Placement, placementPairs } from '../../registry/placement.ts'
import type { Entry, EntryKind } from '../../store/registry-store.ts'
import { audited, ownEnterprise, scope } from '../access.ts'
import type { ApiDeps } from '../deps.ts'
import { badRequest, notFound } from '../errors.ts'

function idOf(c: Context): string {
  const id = c.req.param('id') ?? ''
  if (!TopicId.safeParse(id).success)
    throw badRequest(`"${id}" is not a registry id`, 'ids are 1–64 letters, digits, "_", "-" or "."')
  return id
}

const ListQuery = z.strictObject({ enterprise: TopicId.optional() })
const LIST_HINT = 'enterprise (an enterprise id) or nothing'
/** A list's scope: the identity's, narrowed to `?enterprise=` (an enterprise identity may name only its own). */
function listScope(c: Context, enterprise: string | undefined): Scope {
  ownEnterprise(c, enterprise)
  return enterprise === undefined ? scope(c) : { enterprise }
}

const TAG = ['registry']
const NOT_FOUND = { 404: json("no such entry, or another enterprise's") }
const list = (path: string, summary: string) =>
  createRoute({
    method: 'get',
    path,
    tags: TAG,
    summary,
    middleware: [hint(LIST_HINT)] as const,
    request: { query: ListQuery },
    responses: { 200: json('the entries'), ...REFUSALS },
  })
const CHANGED = { ...REFUSALS, ...NOT_FOUND, 409: json('the change does not fit (an id taken, an entry still in use)') }
const POINT_PATCH_HINT =
  'send the fields to change, e.g. {"h": 80, "hh": 90} (level-1 / level-2 upper thresholds); null clears one'

const ENTRIES: Array<{
  path: string
  kind: EntryKind
  body: z.ZodType<Entry>
  patch: z.ZodType<Record<string, unknown>>
  example: string
}> = [
  {
    path: 'enterprises',
    kind: 'enterprises',
    body: EnterpriseBody as unknown as z.ZodType<Entry>,
    patch: EnterprisePatch,
    example: '{"id": "shilian", "name": "石联化工"}',
  },
  {
    path: 'hazard-sources',
    kind: 'hazardSources',
    body: HazardSourceBody as unknown as z.ZodType<Entry>,
    patch: HazardSourcePatch,
    example: '{"id": "shilian-mhs1", "enterprise": "shilian", "name": "液氨罐区", "level": 2}',
  },
  {
    path: 'areas',
    kind: 'areas',
    body: AreaBody,
    patch: AreaPatch,
    example: '{"id": "shilian-tf1", "enterprise": "shilian", "name": "罐区一", "kind": "tank farm"}',
  },
  // Issue 13: an edge's one site and enterprise (null: the park), and its claim policy.
  {
    path: 'edges',
    kind: 'edges',
    body: EdgeBody as z.ZodType<Entry>,
    patch: EdgePatch,
    example: '{"id": "shilian-01", "site": "huaian", "enterprise": "shilian", "claim": null}',
  },
  // Issue 18: monitoring devices, for the provincial exchange (#152 所属监测设备编码, #153/#156).
  {
    path: 'devices',
    kind: 'devices',
    body: DeviceBody as z.ZodType<Entry>,
    patch: DevicePatch,
    example:
      '{"id": "shilian-gds", "enterprise": "shilian", "name": "GDS", "category": "02", "lon": 119.01, "lat": 33.5, "commissionedOn": "2024-05-01"}',
  },
]

/**
 * /api/v1/registry: enterprises, hazard sources (MHS level 1–4), areas and points' registry
 * fields (#152 indicator fields and the level-1/level-2 thresholds). Reads are scoped to the
 * identity's enterprise; writes are the park admin's and every one is audited with the record
 * before and after (a threshold change: who, when, old, new).
 */
export function registryRoutes(deps: ApiDeps): OpenAPIHono {
  const app = apiRouter()
  const reg = deps.store.registry
  for (const e of ENTRIES) {
    const what = e.path.replace('-', ' ')
    app.openapi(list(`/${e.path}`, `Registry: ${what}`), async (c) =>
      c.json(await reg.list(e.kind, listScope(c, c.req.valid('query').enterprise))),
    )
    app.openapi(
      createRoute({
        method: 'post',
        path: `/${e.path}`,
        tags: TAG,
        summary: `Registry: add to ${what}`,
        middleware: [hint(`send ${e.example}`)] as const,
        request: { body: jsonBody(e.body) },
        responses: { 201: json('the new entry'), ...CHANGED },
      }),
      async (c) => {
        const after = await reg.create(e.kind, c.req.valid('json') as Entry)
        deps.ownership?.invalidate()
        audited(c, { target: `${e.path}/${after.id}`, before: null, after })
        return c.json(after, 201)
      },
    )
    app.openapi(
      createRoute({
        method: 'patch',
        path: `/${e.path}/{id}`,
        tags: TAG,
        summary: `Registry: change one of ${what}`,
        middleware: [hint(`send the fields to change, e.g. ${e.example}`)] as const,
        request: { params: IdParams, body: jsonBody(e.patch) },
        responses: { 200: json('the entry after the change'), ...CHANGED },
      }),
      async (c) => {
        const id = idOf(c)
        const change = await reg.update(e.kind, id, c.req.valid('json') as Record<string, unknown>)
        if (!change) throw notFound(`no ${e.path} entry ${id}`, `list them with GET /api/v1/registry/${e.path}`)
        deps.ownership?.invalidate()
        audited(c, { target: `${e.path}/${id}`, ...change })
        return c.json(change.after)
      },
    )
    app.openapi(
      createRoute({
        method: 'delete',
        path: `/${e.path}/{id}`,
        tags: TAG,
        summary: `Registry: remove one of ${what} (refused while in use)`,
        request: { params: IdParams },
        responses: { 204: { description: 'removed' }, ...CHANGED },
      }),
      async (c) => {
        const id = idOf(c)
        const change = await reg.remove(e.kind, id)
        if (!change) throw notFound(`no ${e.path} entry ${id}`, `list them with GET /api/v1/registry/${e.path}`)
        deps.ownership?.invalidate()
        audited(c, { target: `${e.path}/${id}`, ...change })
        return c.body(null, 204)
      },
    )
  }
  app.openapi(list('/points', 'Registry: points with their indicator fields and thresholds'), async (c) =>
    c.json(await reg.listPoints(listScope(c, c.req.valid('query').enterprise))),
  )
  const exportRoute = createRoute({
    method: 'get',
    path: '/points/export',
    tags: TAG,
    summary: 'Registry: points as CSV (the columns the import reads)',
    middleware: [hint(LIST_HINT)] as const,
    request: { query: ListQuery },
    responses: {
      200: { description: 'UTF-8 CSV with a BOM', content: { 'text/csv': { schema: z.string() } } },
      ...REFUSALS,
    },
  })
  app.openapi(exportRoute, async (c) => {
    const csv = pointsToCsv(await reg.listPoints(listScope(c, c.req.valid('query').enterprise)))
    return c.body(csv, 200, {
      'Content-Type': 'text/csv; charset=utf-8',
      'Content-Disposition': 'attachment; filename="points.csv"',
    })
  })
  // The CSV body is read by the handler (row-level errors), so it is described, not validated here.
  const importRoute = createRoute({
    method: 'post',
    path: '/points/import',
    tags: TAG,
    summary: 'Registry: import points from the data-access table (CSV); nothing is imported if a row is bad',
    request: { query: z.object({ dryRun: z.enum(['1', 'true', '0', 'false']).optional() }) },
    description:
      'Body: the CSV file (Content-Type: text/csv, UTF-8, a BOM is fine). `dryRun=1` checks and counts without writing.',
    responses: {
      200: json('what was (or would be) created and changed'),
      ...REFUSALS,
      400: json('not CSV, or bad rows: each with its row, column and what to do (`rows`); nothing imported'),
    },
  })
  app.openapi(importRoute, async (c) => {
    const type = c.req.header('content-type') ?? ''
    if (!/^text\/csv\b/i.test(type))
      throw badRequest(
        `the body is ${type || 'untyped'}, not CSV`,
        'send the file with Content-Type: text/csv (UTF-8, a BOM is fine)',
      )
    const flag = c.req.valid('query').dryRun
    const dryRun = flag === '1' || flag === 'true'
    const parsed = parsePointsCsv(await c.req.text())
    if (parsed.errors.length > 0) {
      const body = errorResponseBody(
        `${parsed.errors.length} error(s) in the file: nothing was imported`,
        'correct the rows listed in `rows` (row 1 is the header) and send the whole file again',
      )
      return c.json({ ...body, rows: parsed.errors }, 400)
    }
    const changes = await reg.importPoints(parsed.points, { dryRun })
    // A point's enterprise decides which edges may claim it (cloud/ingest/ownership.ts).
    if (!dryRun) deps.ownership?.invalidate()
    if (!dryRun)
      audited(c, {
        target: 'points/import',
        before: Object.fromEntries(changes.map((x) => [x.id, x.before])),
        after: Object.fromEntries(changes.map((x) => [x.id, x.after])),
      })
    return c.json(
      {
        dryRun,
        rows: parsed.points.length,
        changed: changes.length,
        created: changes.filter((x) => x.before === null).length,
        points: changes.map((x) => x.id),
      },
      200,
    )
  })
  app.openapi(
    createRoute({
      method: 'get',
      path: '/points/{id}',
      tags: TAG,
      summary: 'Registry: one point',
      request: { params: IdParams },
      responses: { 200: json('the point'), ...REFUSALS, ...NOT_FOUND },
    }),
    async (c) => {
      const id = idOf(c)
      const p = await reg.getPoint(id, scope(c))
      if (!p) throw notFound(`no point ${id}`, 'list registered points with GET /api/v1/registry/points')
      return c.json(p)
    },
  )
  app.openapi(
    createRoute({
      method: 'patch',
      path: '/points/{id}',
      tags: TAG,
      summary: "Registry: change a point's fields or thresholds (audited: who, when, old, new)",
      middleware: [hint(POINT_PATCH_HINT)] as const,
      request: { params: IdParams, body: jsonBody(PointPatch) },
      responses: { 200: json('the point after the change'), ...CHANGED },
    }),
    async (c) => {
      const id = idOf(c)
      const change = await reg.patchPoint(id, c.req.valid('json'))
      if (!change) throw notFound(`no point ${id}`, 'a point exists once its edge announced it or an import created it')
      deps.ownership?.invalidate()
      audited(c, { target: `points/${id}`, ...change })
      return c.json(change.after)
    },
  )
  app.openapi(
    createRoute({
      method: 'delete',
      path: '/points/{id}',
      tags: TAG,
      summary: 'Registry: take a point out of the registry',
      request: { params: IdParams },
      responses: { 204: { description: 'taken out' }, ...REFUSALS, ...NOT_FOUND },
    }),
    async (c) => {
      const id = idOf(c)
      const change = await reg.unregisterPoint(id)
      if (!change) throw notFound(`no point ${id}`, 'list registered points with GET /api/v1/registry/points')
      deps.ownership?.invalidate()
      audited(c, { target: `points/${id}`, ...change })
      return c.body(null, 204)
    },
  )
  moveRoutes(app, deps)
  placeCameraRoute(app, deps)
  return app
}

const PLACE_HINT =
  'send {"x": 0.42, "y": 0.61} (0…1 on the park plan, 0,0 top left) and/or {"lon": 119.1, "lat": 33.5}; null clears'
/** A camera's place on the park plan (issue 17): cameras come from births, so only this route places them (audited). */
function placeCameraRoute(app: OpenAPIHono, deps: ApiDeps): void {
  const route = createRoute({
    method: 'put',
    path: '/cameras/{id}/position',
    tags: TAG,
    summary: 'Registry: place a camera on the park plan (x/y in 0…1, lon/lat; audited)',
    middleware: [hint(PLACE_HINT)] as const,
    request: { params: IdParams, body: jsonBody(Placement.superRefine(placementPairs)) },
    responses: { 200: json('the placement after the change'), ...REFUSALS, ...NOT_FOUND },
  })
  app.openapi(route, async (c) => {
    const id = idOf(c)
    const change = await deps.store.registry.placeCamera(id, c.req.valid('json'))
    if (!change) throw notFound(`no camera ${id}`, 'list cameras with GET /api/v1/cameras')
    audited(c, { target: `cameras/${id}/position`, ...change })
    return c.json(change.after, 200)
  })
}

const MOVE_HINT = 'send {"edge": "shilian-01"} (the edge that may send it from now on; null unbinds a point)'
/**
 * A point or camera moves to another edge only here (issue 13): a birth never re-homes it. The
 * move is audited (before and after) and the ingest's ownership cache is dropped at once.
 */
function moveRoutes(app: OpenAPIHono, deps: ApiDeps): void {
  const reg = deps.store.registry
  for (const what of ['points', 'cameras'] as const) {
    const route = createRoute({
      method: 'put',
      path: `/${what}/{id}/edge`,
      tags: TAG,
      summary: `Registry: bind a ${what === 'points' ? 'point' : 'camera'} to the edge that may send it (audited)`,
      middleware: [hint(MOVE_HINT)] as const,
      request: { params: IdParams, body: jsonBody(MoveBody) },
      responses: { 200: json('the binding after the move'), ...CHANGED },
    })
    app.openapi(route, async (c) => {
      const id = idOf(c)
      const { edge } = c.req.valid('json')
      if (what === 'cameras' && edge === null)
        throw badRequest('a camera is always bound to an edge', 'name the edge that may send it')
      const change = what === 'points' ? await reg.movePoint(id, edge) : await reg.moveCamera(id, edge!)
      if (!change)
        throw notFound(
          `no ${what === 'points' ? 'point' : 'camera'} ${id}`,
          what === 'points' ? 'list points with GET /api/v1/points' : 'list cameras with GET /api/v1/cameras',
        )
      deps.ownership?.invalidate()
      audited(c, { target: `${what}/${id}/edge`, ...change })
      return c.json(change.after, 200)
    })
  }
}

const errorResponseBody = (message: string, hint: string) => ({
  error: { code: ErrorCodes.BAD_REQUEST, message, hint },
})
