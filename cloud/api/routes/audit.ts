import type { OpenAPIHono } from '@hono/zod-openapi'
import type { ApiDeps } from '../deps.ts'
import { TimeParam, intParam } from '../params.ts'
import { REFUSALS, apiRouter, createRoute, hint, json, z } from '../openapi/route.ts'

const AuditQuery = z.strictObject({
  from: TimeParam.optional(),
  to: TimeParam.optional(),
  actor: z.string().min(1).max(128).optional(),
  action: z.string().min(1).max(128).optional(),
  limit: intParam(1_000, 10_000),
  before: z
    .string()
    .regex(/^\d{1,15}$/, 'an entry id')
    .transform(Number)
    .optional(),
})
const HINT =
  'from, to: epoch ms or ISO-8601 with a zone; actor (user name or key:NAME); action (login, login_failed, lockout, logout, or "POST /api/v1/alarms/:id/ack" …); limit 1–10000 (default 1000); before: an entry id, for the next page'

/** GET /api/v1/audit: the append-only audit log, newest first (auditors only). */
const query = createRoute({
  method: 'get',
  path: '/',
  tags: ['audit'],
  summary: 'The append-only audit log, newest first',
  middleware: [hint(HINT)] as const,
  request: { query: AuditQuery },
  responses: { 200: json('audit entries'), ...REFUSALS },
})

export function auditRoutes(deps: ApiDeps): OpenAPIHono {
  const app = apiRouter()
  app.openapi(query, async (c) => {
    const q = c.req.valid('query')
    const rows = await deps.store.auth.queryAudit({
      ...(q.from === undefined ? {} : { from: q.from }),
      ...(q.to === undefined ? {} : { to: q.to }),
      ...(q.actor ? { actor: q.actor } : {}),
      ...(q.action ? { action: q.action } : {}),
      ...(q.before === undefined ? {} : { beforeId: q.before }),
      limit: q.limit,
    })
    return c.json(rows)
  })
  return app
}
