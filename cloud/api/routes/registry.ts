import { Hono, type Context } from 'hono'
import { z } from 'zod'
import type { Scope } from '../../auth/roles.ts'
import { parseQuery } from '../params.ts'
import { ErrorCodes } from '../../../shared/errors.ts'
import { TopicId } from '../../../shared/wire/ids.ts'
import { parsePointsCsv, pointsToCsv } from '../../registry/csv.ts'
import { AreaBody, AreaPatch, EnterpriseBody, EnterprisePatch, HazardSourceBody, HazardSourcePatch, PointPatch } from '../../registry/model.ts'
import type { Entry, EntryKind } from '../../store/registry-store.ts'
import { audited, ownEnterprise, scope } from '../access.ts'
import { readBody } from '../body.ts'
import type { ApiDeps } from '../deps.ts'
import { badRequest, notFound } from '../errors.ts'

function idOf(c: Context): string {
  const id = c.req.param('id') ?? ''
  if (!TopicId.safeParse(id).success) throw badRequest(`"${id}" is not a registry id`, 'ids are 1–64 letters, digits, "_", "-" or "."')
  return id
}

const ListQuery = z.strictObject({ enterprise: TopicId.optional() })
/** A list's scope: the identity's, narrowed to `?enterprise=` (an enterprise identity may name only its own). */
function listScope(c: Context): Scope {
  const q = parseQuery(c, ListQuery, 'enterprise (an enterprise id) or nothing')
  ownEnterprise(c, q.enterprise)
  return q.enterprise === undefined ? scope(c) : { enterprise: q.enterprise }
}

const ENTRIES: Array<{ path: string; kind: EntryKind; body: z.ZodType<Entry>; patch: z.ZodType<Record<string, unknown>>; example: string }> = [
  { path: 'enterprises', kind: 'enterprises', body: EnterpriseBody, patch: EnterprisePatch, example: '{"id": "shilian", "name": "石联化工"}' },
  { path: 'hazard-sources', kind: 'hazardSources', body: HazardSourceBody, patch: HazardSourcePatch, example: '{"id": "shilian-mhs1", "enterprise": "shilian", "name": "液氨罐区", "level": 2}' },
  { path: 'areas', kind: 'areas', body: AreaBody, patch: AreaPatch, example: '{"id": "shilian-tf1", "enterprise": "shilian", "name": "罐区一", "kind": "tank farm"}' },
]

/**
 * /api/v1/registry: enterprises, hazard sources (MHS level 1–4), areas and points' registry
 * fields (#152 indicator fields and the level-1/level-2 thresholds). Reads are scoped to the
 * identity's enterprise; writes are the park admin's and every one is audited with the record
 * before and after (a threshold change: who, when, old, new).
 */
export function registryRoutes(deps: ApiDeps): Hono {
  const app = new Hono()
  const reg = deps.store.registry
  for (const e of ENTRIES) {
    app.get(`/${e.path}`, async (c) => c.json(await reg.list(e.kind, listScope(c))))
    app.post(`/${e.path}`, async (c) => {
      const body = await readBody(c, e.body, `send ${e.example}`)
      const after = await reg.create(e.kind, body)
      audited(c, { target: `${e.path}/${after.id}`, before: null, after })
      return c.json(after, 201)
    })
    app.patch(`/${e.path}/:id`, async (c) => {
      const id = idOf(c)
      const change = await reg.update(e.kind, id, await readBody(c, e.patch, `send the fields to change, e.g. ${e.example}`))
      if (!change) throw notFound(`no ${e.path} entry ${id}`, `list them with GET /api/v1/registry/${e.path}`)
      audited(c, { target: `${e.path}/${id}`, ...change })
      return c.json(change.after)
    })
    app.delete(`/${e.path}/:id`, async (c) => {
      const id = idOf(c)
      const change = await reg.remove(e.kind, id)
      if (!change) throw notFound(`no ${e.path} entry ${id}`, `list them with GET /api/v1/registry/${e.path}`)
      audited(c, { target: `${e.path}/${id}`, ...change })
      return c.body(null, 204)
    })
  }
  app.get('/points', async (c) => c.json(await reg.listPoints(listScope(c))))
  app.get('/points/export', async (c) => {
    const csv = pointsToCsv(await reg.listPoints(listScope(c)))
    return c.body(csv, 200, { 'Content-Type': 'text/csv; charset=utf-8', 'Content-Disposition': 'attachment; filename="points.csv"' })
  })
  app.post('/points/import', async (c) => {
    const type = c.req.header('content-type') ?? ''
    if (!/^text\/csv\b/i.test(type)) throw badRequest(`the body is ${type || 'untyped'}, not CSV`, 'send the file with Content-Type: text/csv (UTF-8, a BOM is fine)')
    const dryRun = c.req.query('dryRun') === '1' || c.req.query('dryRun') === 'true'
    const parsed = parsePointsCsv(await c.req.text())
    if (parsed.errors.length > 0) {
      const body = errorResponseBody(`${parsed.errors.length} error(s) in the file: nothing was imported`, 'correct the rows listed in `rows` (row 1 is the header) and send the whole file again')
      return c.json({ ...body, rows: parsed.errors }, 400)
    }
    const changes = await reg.importPoints(parsed.points, { dryRun })
    if (!dryRun) audited(c, { target: 'points/import', before: Object.fromEntries(changes.map((x) => [x.id, x.before])), after: Object.fromEntries(changes.map((x) => [x.id, x.after])) })
    return c.json({ dryRun, rows: parsed.points.length, changed: changes.length, created: changes.filter((x) => x.before === null).length, points: changes.map((x) => x.id) })
  })
  app.get('/points/:id', async (c) => {
    const id = idOf(c)
    const p = await reg.getPoint(id, scope(c))
    if (!p) throw notFound(`no point ${id}`, 'list registered points with GET /api/v1/registry/points')
    return c.json(p)
  })
  app.patch('/points/:id', async (c) => {
    const id = idOf(c)
    const change = await reg.patchPoint(id, await readBody(c, PointPatch, 'send the fields to change, e.g. {"h": 80, "hh": 90} (level-1 / level-2 upper thresholds); null clears one'))
    if (!change) throw notFound(`no point ${id}`, 'a point exists once its edge announced it or an import created it')
    audited(c, { target: `points/${id}`, ...change })
    return c.json(change.after)
  })
  app.delete('/points/:id', async (c) => {
    const id = idOf(c)
    const change = await reg.unregisterPoint(id)
    if (!change) throw notFound(`no point ${id}`, 'list registered points with GET /api/v1/registry/points')
    audited(c, { target: `points/${id}`, ...change })
    return c.body(null, 204)
  })
  return app
}

const errorResponseBody = (message: string, hint: string) => ({ error: { code: ErrorCodes.BAD_REQUEST, message, hint } })
