import type { Context } from 'hono'
import type { OpenAPIHono } from '@hono/zod-openapi'
import type { GasAct, GasActOutcome } from '../../alarms/gas/decide.ts'
import type { ApiDeps } from '../deps.ts'
import { badRequest, notFound } from '../errors.ts'
import { idParam, stateConflict } from '../body.ts'
import { IdParams, REFUSALS, apiRouter, createRoute, hint, json, jsonBody, z } from '../openapi/route.ts'
import { actorOf, audited, scope } from '../access.ts'

const ListQuery = z.strictObject({
  state: z.enum(['open', 'cleared']).optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(200),
})
const Report = z.strictObject({
  text: z.string().trim().min(1, 'the investigation report needs its text').max(20_000),
  /** References of the attached documents (file names or document numbers in the park's archive). */
  attachments: z.array(z.string().trim().min(1).max(200)).max(50).default([]),
})
const Empty = z.strictObject({})

const TAG = ['gas-warnings']
const NOT_FOUND = { 404: json("no such warning, or another enterprise's") }
const STEP = {
  200: json('the warning after the step'),
  ...REFUSALS,
  ...NOT_FOUND,
  409: json(
    "the step does not fit the warning's state (e.g. clearing a red one without its report); the warning goes with the error",
  ),
}
const STEPS = {
  ack: { summary: 'Acknowledge the warning (the center has it in hand)', body: Empty },
  report: { summary: 'File the investigation report (text and attachments)', body: Report },
  clear: { summary: 'Clear the warning (orange and red: after the investigation report)', body: Empty },
} as const

/**
 * /api/v1/gas-warnings (易燃易爆有毒有害气体泄漏预警, 001:L1933–1985): per area, a colour from
 * its gas alarms (cloud/alarms/gas), acknowledged and cleared by the center; an orange or red
 * warning is cleared only once its investigation report is filed (the enterprise files it).
 */
export function gasWarningRoutes(deps: ApiDeps): OpenAPIHono {
  const app = apiRouter()
  const id = (c: Context) => idParam(c, 'a warning')
  const answer = (c: Context, outcome: GasActOutcome | null, before: unknown) => {
    if (!outcome) throw notFound(`no gas-leak warning ${c.req.param('id')}`)
    if (!outcome.ok) return stateConflict(c, outcome.message, 'warning', outcome.warning)
    audited(c, { target: `gas-warning:${outcome.warning.id}`, before, after: outcome.warning })
    return c.json(outcome.warning, 200)
  }

  app.openapi(
    createRoute({
      method: 'get',
      path: '/',
      tags: TAG,
      summary: 'Gas-leak warnings, newest first',
      middleware: [hint('state: open|cleared; limit')] as const,
      request: { query: ListQuery },
      responses: { 200: json('the warnings'), ...REFUSALS },
    }),
    async (c) => {
      const q = c.req.valid('query')
      return c.json(
        await deps.store.listGasWarnings({ scope: scope(c), limit: q.limit, ...(q.state ? { state: q.state } : {}) }),
      )
    },
  )
  app.openapi(
    createRoute({
      method: 'get',
      path: '/{id}',
      tags: TAG,
      summary: 'One gas-leak warning, with its history',
      request: { params: IdParams },
      responses: { 200: json('the warning'), ...REFUSALS, ...NOT_FOUND },
    }),
    async (c) => {
      const w = await deps.store.getGasWarning(id(c), scope(c))
      if (!w) throw notFound(`no gas-leak warning ${c.req.param('id')}`)
      return c.json(w)
    },
  )
  app.openapi(
    createRoute({
      method: 'get',
      path: '/{id}/deliveries',
      tags: TAG,
      summary: "The pushes the warning's openings, escalations and notices called for, with their outcome",
      request: { params: IdParams },
      responses: { 200: json('the deliveries'), ...REFUSALS, ...NOT_FOUND },
    }),
    async (c) => {
      const list = await deps.store.gasWarningDeliveries(id(c), scope(c))
      if (!list) throw notFound(`no gas-leak warning ${c.req.param('id')}`)
      return c.json(list)
    },
  )
  for (const [path, step] of Object.entries(STEPS) as Array<[keyof typeof STEPS, (typeof STEPS)[keyof typeof STEPS]]>) {
    app.openapi(
      createRoute({
        method: 'post',
        path: `/{id}/${path}`,
        tags: TAG,
        summary: step.summary,
        middleware: [hint(path === 'report' ? 'POST {"text": "…", "attachments": ["…"]}' : 'POST {}')] as const,
        request: { params: IdParams, body: jsonBody(step.body) },
        responses: STEP,
      }),
      async (c) => {
        const body = c.req.valid('json') as { text?: string; attachments?: string[] }
        const by = actorOf(c)
        const act: GasAct =
          path === 'report'
            ? { action: 'report', by, text: body.text ?? '', attachments: body.attachments ?? [] }
            : path === 'ack'
              ? { action: 'acknowledge', by }
              : { action: 'clear', by }
        const before = await deps.store.getGasWarning(id(c), scope(c))
        if (!before) throw notFound(`no gas-leak warning ${c.req.param('id')}`)
        if (!deps.gasWarnings)
          throw badRequest(
            'gas-leak warnings are off in this cloud',
            'set alarms.gasWarnings.enabled: true in the cloud config',
          )
        return answer(c, await deps.gasWarnings.act(id(c), act, scope(c)), before)
      },
    )
  }
  return app
}
