import type { Context } from 'hono'
import type { OpenAPIHono } from '@hono/zod-openapi'
import { PointId, TopicId } from '../../../shared/wire/ids.ts'
import type { WindowOutcome } from '../../store/store.ts'
import type { ApiDeps } from '../deps.ts'
import { badRequest, notFound } from '../errors.ts'
import { TimeParam } from '../params.ts'
import { idParam, stateConflict } from '../body.ts'
import { IdParams, REFUSALS, apiRouter, createRoute, hint, json, jsonBody, z } from '../openapi/route.ts'
import { actorOf, audited, ownEnterprise, scope } from '../access.ts'

const Time = z.union([z.number().int().nonnegative(), z.string()]).transform((v, ctx) => {
  if (typeof v === 'number') return v
  const parsed = TimeParam.safeParse(v)
  if (parsed.success) return parsed.data
  ctx.addIssue({ code: 'custom', message: parsed.error.issues[0]?.message ?? 'not a time' })
  return z.NEVER
})
const Request = z.strictObject({
  enterprise: TopicId,
  points: z.array(PointId).max(10_000).optional(),
  devices: z.array(z.string().min(1).max(64)).max(1_000).optional(),
  from: Time,
  to: Time,
  reason: z.string().trim().min(1, 'say why (reason)').max(1000),
})
const Decision = z.strictObject({ note: z.string().max(1000).optional() })
const ListQuery = z.strictObject({
  status: z.enum(['requested', 'approved', 'rejected', 'cancelled']).optional(),
  enterprise: TopicId.optional(),
})

const TAG = ['maintenance-windows']
const NOT_FOUND = { 404: json("no such window, or another enterprise's") }
const DECIDED = {
  200: json('the window after the decision'),
  ...REFUSALS,
  ...NOT_FOUND,
  409: json("the decision does not fit the window's state; the window goes with the error"),
}
const DECISION_SUMMARY = { approve: 'Approve (the park)', reject: 'Reject (the park)', cancel: 'Cancel' } as const
const routes = {
  list: createRoute({
    method: 'get',
    path: '/',
    tags: TAG,
    summary: 'Maintenance windows',
    middleware: [hint('status: requested|approved|rejected|cancelled; enterprise')] as const,
    request: { query: ListQuery },
    responses: { 200: json('the windows'), ...REFUSALS },
  }),
  one: createRoute({
    method: 'get',
    path: '/{id}',
    tags: TAG,
    summary: 'One maintenance window',
    request: { params: IdParams },
    responses: { 200: json('the window'), ...REFUSALS, ...NOT_FOUND },
  }),
  request: createRoute({
    method: 'post',
    path: '/',
    tags: TAG,
    summary: 'Request a window over points or devices, with a reason',
    middleware: [
      hint('POST {"enterprise", "points" or "devices", "from", "to" (epoch ms or ISO-8601 with a zone), "reason"}'),
    ] as const,
    request: { body: jsonBody(Request) },
    responses: { 201: json('the requested window'), ...REFUSALS, 409: json('the request does not fit') },
  }),
}

/**
 * /api/v1/maintenance-windows (故障点位申请): an enterprise requests a window over points or
 * devices with a reason and a time range; the park approves, rejects or cancels it. Inside an
 * approved window the covered points raise no alarms (the data is still stored, and each raise
 * not made is counted on the window); it ends by itself at `to`.
 */
export function windowsRoutes(deps: ApiDeps): OpenAPIHono {
  const app = apiRouter()
  const answer = <S extends 200 | 201>(c: Context, outcome: WindowOutcome, status: S, before: unknown = null) => {
    if (outcome.ok) {
      audited(c, { target: `window:${outcome.window.id}`, before, after: outcome.window })
      return c.json(outcome.window, status)
    }
    if (outcome.code === 'NOT_FOUND') throw notFound(outcome.message)
    if (outcome.code === 'BAD_REQUEST')
      throw badRequest(
        outcome.message,
        "name the enterprise's points or devices, a reason, and from < to in the future",
      )
    return stateConflict(c, outcome.message, 'window', outcome.window)
  }
  const id = (c: Context) => idParam(c, 'a window')

  app.openapi(routes.list, async (c) => {
    const q = c.req.valid('query')
    ownEnterprise(c, q.enterprise)
    return c.json(await deps.store.listWindows({ ...q, scope: scope(c) }))
  })
  app.openapi(routes.one, async (c) => {
    const w = await deps.store.getWindow(id(c), scope(c))
    if (!w) throw notFound(`no maintenance window ${c.req.param('id')}`)
    return c.json(w)
  })
  app.openapi(routes.request, async (c) => {
    const r = c.req.valid('json')
    ownEnterprise(c, r.enterprise)
    return answer(
      c,
      await deps.store.requestWindow(
        {
          ...r,
          by: actorOf(c),
          ...(r.points ? { points: r.points } : {}),
          ...(r.devices ? { devices: r.devices } : {}),
        },
        deps.clock.now(),
        scope(c),
      ),
      201,
    )
  })
  for (const decision of ['approve', 'reject', 'cancel'] as const) {
    app.openapi(
      createRoute({
        method: 'post',
        path: `/{id}/${decision}`,
        tags: TAG,
        summary: DECISION_SUMMARY[decision],
        middleware: [hint('POST {"note": "…"} (optional)')] as const,
        request: { params: IdParams, body: jsonBody(Decision) },
        responses: DECIDED,
      }),
      async (c) => {
        const d = c.req.valid('json')
        const before = await deps.store.getWindow(id(c), scope(c))
        return answer(
          c,
          await deps.store.decideWindow(
            id(c),
            { decision, by: actorOf(c), ...(d.note ? { note: d.note } : {}) },
            deps.clock.now(),
            scope(c),
          ),
          200,
          before,
        )
      },
    )
  }
  return app
}
