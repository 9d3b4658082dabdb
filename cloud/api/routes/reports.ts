import type { OpenAPIHono } from '@hono/zod-openapi'
import { ErrorCodes, ParklinkError } from '../../../shared/errors.ts'
import { ReportFormat, ReportName } from '../../reports/config.ts'
import type { ReportRunner } from '../../reports/generate.ts'
import { actorOf, audited } from '../access.ts'
import { idParam } from '../body.ts'
import type { ApiDeps } from '../deps.ts'
import { badRequest, notFound } from '../errors.ts'
import { TimeParam, intParam } from '../params.ts'
import { IdParams, REFUSALS, apiRouter, createRoute, hint, json, jsonBody, z } from '../openapi/route.ts'

/**
 * Reports (issue 18, cloud/reports/): the definitions, the catalog of generated reports, their
 * files, and a run for any period. Reports are the park's documents (every enterprise in
 * them): read by the center and the auditor, made by the center (cloud/auth/permissions.ts).
 */
const TAG = ['reports']
const NOT_FOUND = { 404: json('no such report or file') }
const ListQuery = z.strictObject({
  name: ReportName.optional(),
  from: TimeParam.optional(),
  to: TimeParam.optional(),
  limit: intParam(100, 1_000),
})
const LIST_HINT =
  'name: a report definition name; from, to: reports whose period overlaps them (epoch ms or ISO-8601 with a zone); limit: 1–1000'
const Time = z.union([z.number().int().nonnegative(), TimeParam])
const RunBody = z.strictObject({ name: ReportName, from: Time, to: Time, note: z.string().max(2_000).optional() })
const RUN_HINT =
  'body: {"name": "shift", "from": "2026-03-02T08:00:00+08:00", "to": "2026-03-02T20:00:00+08:00", "note": "…"}; names from GET /api/v1/reports/definitions'
const FileParams = IdParams.extend({
  format: z.enum(ReportFormat.options).openapi({ param: { name: 'format', in: 'path' }, description: 'xlsx or pdf' }),
})
const CONTENT_TYPE: Record<ReportFormat, string> = {
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  pdf: 'application/pdf',
}

const routes = {
  definitions: createRoute({
    method: 'get',
    path: '/definitions',
    tags: TAG,
    summary: "The report definitions: kind, period, schedule (cron in the park's time zone), formats",
    responses: { 200: json('the definitions and the time zone'), ...REFUSALS },
  }),
  list: createRoute({
    method: 'get',
    path: '/',
    tags: TAG,
    summary: 'Generated reports, newest first, with their parameters and files',
    middleware: [hint(LIST_HINT)] as const,
    request: { query: ListQuery },
    responses: { 200: json('the reports'), ...REFUSALS },
  }),
  get: createRoute({
    method: 'get',
    path: '/{id}',
    tags: TAG,
    summary: 'One generated report',
    request: { params: IdParams },
    responses: { 200: json('the report'), ...REFUSALS, ...NOT_FOUND },
  }),
  file: createRoute({
    method: 'get',
    path: '/{id}/{format}',
    tags: TAG,
    summary: "A report's file (xlsx or pdf)",
    request: { params: FileParams },
    responses: {
      200: {
        description: 'the file',
        content: {
          'application/pdf': { schema: z.string().openapi({ format: 'binary' }) },
          [CONTENT_TYPE.xlsx]: { schema: z.string().openapi({ format: 'binary' }) },
        },
      },
      ...REFUSALS,
      ...NOT_FOUND,
    },
  }),
  run: createRoute({
    method: 'post',
    path: '/run',
    tags: TAG,
    summary: 'Make a report for any period (again, if it exists: every generation is kept)',
    middleware: [hint(RUN_HINT)] as const,
    request: { body: jsonBody(RunBody) },
    responses: { 201: json('the generated report'), ...REFUSALS, ...NOT_FOUND },
  }),
}

const withLinks = (r: Awaited<ReturnType<ReportRunner['run']>>) => ({
  ...r,
  files: r.files.map((f) => ({ ...f, url: `/api/v1/reports/${r.id}/${f.format}` })),
})

export function reportsRoutes(deps: ApiDeps): OpenAPIHono {
  const app = apiRouter()
  const runner = (): ReportRunner => {
    if (!deps.reports)
      throw new ParklinkError(ErrorCodes.NOT_FOUND, 'reports are not set up in this service', {
        hint: 'the cloud service sets them up from reports: in its config',
      })
    return deps.reports
  }
  const stored = async (id: number) => {
    const report = await deps.store.reports.get(id)
    if (!report) throw notFound(`no report ${id}`, 'list reports with GET /api/v1/reports')
    return report
  }

  app.openapi(routes.definitions, async (c) => c.json({ definitions: runner().definitions }))
  app.openapi(routes.list, async (c) => {
    const q = c.req.valid('query')
    if (q.from !== undefined && q.to !== undefined && q.from > q.to)
      throw badRequest(`from (${q.from}) is after to (${q.to})`, LIST_HINT)
    return c.json((await deps.store.reports.list(q)).map(withLinks))
  })
  app.openapi(routes.get, async (c) => c.json(withLinks(await stored(idParam(c, 'a report')))))
  app.openapi(routes.file, async (c) => {
    const { format } = c.req.valid('param')
    const report = await stored(idParam(c, 'a report'))
    const file = await runner().file(report, format)
    if (!file)
      throw notFound(
        `report ${report.id} has no ${format} file (any more)`,
        `make it again with POST /api/v1/reports/run for ${report.name}`,
      )
    return c.body(new Uint8Array(file.body), 200, {
      'Content-Type': CONTENT_TYPE[format],
      'Content-Length': String(file.body.length),
      'Content-Disposition': `attachment; filename="${file.name}"`,
      'Cache-Control': 'private, max-age=86400, immutable',
    })
  })
  app.openapi(routes.run, async (c) => {
    const body = c.req.valid('json')
    const report = await runner().run(
      body.name,
      { from: body.from, to: body.to },
      { trigger: 'manual', requestedBy: actorOf(c), ...(body.note === undefined ? {} : { note: body.note }) },
    )
    audited(c, { target: `report:${report.id}`, after: { name: report.name, from: report.from, to: report.to } })
    return c.json(withLinks(report), 201)
  })
  return app
}
