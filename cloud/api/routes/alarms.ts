import type { Context } from 'hono'
import type { OpenAPIHono } from '@hono/zod-openapi'
import { Priority } from '../../../shared/rules/priority.ts'
import { PointId, TopicId } from '../../../shared/wire/ids.ts'
import { VideoCode } from '../../../shared/wire/camera.ts'
import type { Action } from '../../alarms/workflow.ts'
import type { AlarmActOutcome } from '../../store/store.ts'
import { alarmView } from '../alarm-view.ts'
import { streamAlarms, type AlarmStreams } from './alarm-stream.ts'
import type { ApiDeps } from '../deps.ts'
import { badRequest, notFound } from '../errors.ts'
import { idParam, stateConflict } from '../body.ts'
import { IdParams, REFUSALS, apiRouter, createRoute, json, jsonBody, hint, z } from '../openapi/route.ts'
import { actorOf, audited, ownEnterprise, scope } from '../access.ts'
import { TimeParam, intParam } from '../params.ts'

export const ALARMS_DEFAULT_LIMIT = 1_000
export const ALARMS_MAX_LIMIT = 10_000

const AlarmsQuery = z.strictObject({
  state: z.enum(['active', 'open', 'all']).default('active'),
  point: PointId.optional(),
  priority: Priority.optional(),
  kind: z.union([z.enum(['HH', 'H', 'L', 'LL', 'ROC', 'DIGITAL', 'STALE', 'OFFLINE', 'CLOCK']), VideoCode]).optional(),
  enterprise: TopicId.optional(),
  from: TimeParam.optional(),
  to: TimeParam.optional(),
  q: z.string().trim().min(1).max(64).optional(),
  limit: intParam(ALARMS_DEFAULT_LIMIT, ALARMS_MAX_LIMIT),
  offset: z
    .string()
    .regex(/^\d{1,9}$/, 'must be a whole number')
    .transform(Number)
    .optional(),
})
const QUERY_HINT = `state: active (default), open (not closed) or all; point; priority S|A|B|C|D; kind HH|H|L|LL|STALE|OFFLINE or a video code (RYRQ, RYYJ, YW, HZ …); enterprise; from, to (raised, epoch ms or ISO-8601 with a zone); q (text in the point id or name); limit: 1–${ALARMS_MAX_LIMIT} (default ${ALARMS_DEFAULT_LIMIT}); offset`

// The acting person is the authenticated identity, never a name in the body.
const bodies = {
  ack: z.strictObject({}),
  triage: z.strictObject({ verdict: z.enum(['valid', 'invalid', 'false']), note: z.string().max(1000).optional() }),
  feedback: z.strictObject({ cause: z.string().trim().min(1).max(2000), measures: z.string().trim().min(1).max(2000) }),
  close: z.strictObject({ note: z.string().max(1000).optional() }),
} as const
const BatchClose = z.strictObject({
  ids: z.array(z.number().int().positive()).min(1).max(1000),
  note: z.string().max(1000).optional(),
})
const Shelve = z.strictObject({
  reason: z.string().trim().min(1, 'say why (reason)').max(1000),
  minutes: z
    .number()
    .int()
    .min(1)
    .max(24 * 60),
})
const OutOfService = z.strictObject({ reason: z.string().trim().min(1, 'say why (reason)').max(1000) })
const NoQuery = z.strictObject({})

const TAG = ['alarms']
const NOT_FOUND = { 404: json("no such alarm, or another enterprise's") }
const STEP = {
  200: json('the alarm after the step'),
  ...REFUSALS,
  ...NOT_FOUND,
  409: json("the step does not fit the alarm's state; the alarm goes with the error"),
}
const step = (path: string, summary: string, body: z.ZodType, help: string) =>
  createRoute({
    method: 'post',
    path,
    tags: TAG,
    summary,
    middleware: [hint(help)] as const,
    request: { params: IdParams, body: jsonBody(body) },
    responses: STEP,
  })
const routes = {
  list: createRoute({
    method: 'get',
    path: '/',
    tags: TAG,
    summary: 'Alarms, newest first, with provincial codes, deadline and overdue flag',
    middleware: [hint(QUERY_HINT)] as const,
    request: { query: AlarmsQuery },
    responses: { 200: json('the alarms'), ...REFUSALS },
  }),
  stream: createRoute({
    method: 'get',
    path: '/stream',
    tags: TAG,
    summary: 'Every change of a visible alarm, live (Server-Sent Events)',
    middleware: [
      hint('the stream takes no parameters: it carries the changes of every alarm the identity may see'),
    ] as const,
    request: { query: NoQuery },
    responses: {
      200: {
        description: 'events `ready`, then one per change (`data`: {change, alarm})',
        content: { 'text/event-stream': { schema: z.string() } },
      },
      ...REFUSALS,
      404: json('no live feed in this service'),
      429: json('too many streams open for this identity (http.streams.perIdentity) or in all (http.streams.total)'),
    },
  }),
  batchClose: createRoute({
    method: 'post',
    path: '/close',
    tags: TAG,
    summary: 'Close several alarms; an outcome per alarm',
    middleware: [hint('POST {"ids": [1, 2], "note": "…"}')] as const,
    request: { body: jsonBody(BatchClose) },
    responses: { 200: json('how many closed and an outcome per id'), ...REFUSALS },
  }),
  one: createRoute({
    method: 'get',
    path: '/{id}',
    tags: TAG,
    summary: 'One alarm',
    request: { params: IdParams },
    responses: { 200: json('the alarm'), ...REFUSALS, ...NOT_FOUND },
  }),
  timeline: createRoute({
    method: 'get',
    path: '/{id}/timeline',
    tags: TAG,
    summary: "The alarm's append-only timeline (actor and time of each step)",
    request: { params: IdParams },
    responses: { 200: json('the timeline'), ...REFUSALS, ...NOT_FOUND },
  }),
  notifications: createRoute({
    method: 'get',
    path: '/{id}/notifications',
    tags: TAG,
    summary: 'The notifications sent for the alarm',
    request: { params: IdParams },
    responses: { 200: json('the deliveries'), ...REFUSALS, ...NOT_FOUND },
  }),
  shelve: step(
    '/{id}/shelve',
    'Shelve (ISA-18.2): off the screen for a time, with a reason',
    Shelve,
    'POST {"reason", "minutes": 1–1440}',
  ),
  unshelve: step('/{id}/unshelve', 'End a shelving early', z.strictObject({}), 'POST {}'),
  outOfService: step(
    '/{id}/out-of-service',
    'Take out of service (ISA-18.2), with a reason',
    OutOfService,
    'POST {"reason"}',
  ),
  inService: step('/{id}/in-service', 'Return to service', z.strictObject({}), 'POST {}'),
}
const STEP_SUMMARY = {
  ack: 'Acknowledge',
  triage: 'Triage: valid, invalid or false',
  feedback: "The enterprise's feedback: cause and measures",
  close: "Close (the park's workflow)",
} as const

const alarmId = (c: Context) => idParam(c, 'an alarm')

/**
 * /api/v1/alarms: the list and one alarm (with provincial codes, deadline and overdue flag), the
 * timeline, the park's workflow steps (ack, triage, feedback, close; batch close) and the live
 * stream of every change (Server-Sent Events, for the big screen). The acting person is the
 * authenticated identity; an enterprise identity sees and acts on its own enterprise's alarms
 * only (another enterprise's alarm is 404, as if it did not exist).
 */
export function alarmsRoutes(deps: ApiDeps, streams: AlarmStreams): OpenAPIHono {
  const app = apiRouter()
  const now = () => deps.clock.now()
  const answer = (c: Context, outcome: AlarmActOutcome, before: AlarmActOutcome | null = null) => {
    if (outcome.ok) {
      audited(c, {
        target: `alarm:${outcome.alarm.id}`,
        before: before?.ok ? before.alarm.disposal : null,
        after: outcome.alarm.disposal,
      })
      return c.json(alarmView(outcome.alarm, now()), 200)
    }
    if (outcome.code === 'NOT_FOUND') throw notFound(outcome.message, 'list alarms with GET /api/v1/alarms?state=all')
    if (outcome.code === 'BAD_REQUEST') throw badRequest(outcome.message)
    return stateConflict(c, outcome.message, 'alarm', outcome.alarm ? alarmView(outcome.alarm, now()) : undefined)
  }

  /** The alarm before a step, for the audit entry (null: not visible, the step will say so). */
  const current = async (c: Context, id: number): Promise<AlarmActOutcome | null> => {
    const alarm = await deps.store.getAlarm(id, scope(c))
    return alarm ? { ok: true, alarm } : null
  }

  app.openapi(routes.list, async (c) => {
    const { from, to, q: text, ...q } = c.req.valid('query')
    ownEnterprise(c, q.enterprise)
    const list = await deps.store.listAlarms({
      ...q,
      scope: scope(c),
      ...(from === undefined ? {} : { raisedFrom: from }),
      ...(to === undefined ? {} : { raisedTo: to }),
      ...(text === undefined ? {} : { text }),
    })
    const at = now()
    return c.json(list.map((a) => alarmView(a, at)))
  })

  app.openapi(routes.stream, (c) => {
    if (!deps.alarmFeed) throw notFound('no live alarm feed in this service')
    return streamAlarms(c, deps, deps.alarmFeed, streams)
  })

  app.openapi(routes.batchClose, async (c) => {
    const b = c.req.valid('json')
    const results = []
    for (const id of b.ids) {
      const r = await deps.store.actOnAlarm(
        id,
        { type: 'close', by: actorOf(c), ...(b.note ? { note: b.note } : {}) },
        now(),
        scope(c),
      )
      results.push(r.ok ? { id, closed: true } : { id, closed: false, code: r.code, message: r.message })
    }
    audited(c, { target: `alarms:${b.ids.join(',')}`, after: results })
    return c.json({ closed: results.filter((r) => r.closed).length, results })
  })

  app.openapi(routes.one, async (c) => {
    const alarm = await deps.store.getAlarm(alarmId(c), scope(c))
    if (!alarm) throw notFound(`no alarm ${c.req.param('id')}`, 'list alarms with GET /api/v1/alarms?state=all')
    return c.json(alarmView(alarm, now()))
  })

  app.openapi(routes.timeline, async (c) => {
    const timeline = await deps.store.alarmTimeline(alarmId(c), scope(c))
    if (!timeline) throw notFound(`no alarm ${c.req.param('id')}`, 'list alarms with GET /api/v1/alarms?state=all')
    return c.json(timeline)
  })

  app.openapi(routes.notifications, async (c) => {
    const id = alarmId(c)
    if (!(await deps.store.getAlarm(id, scope(c)))) throw notFound(`no alarm ${c.req.param('id')}`)
    return c.json(await deps.store.alarmDeliveries(id, scope(c)))
  })

  // ISA-18.2 overlays: shelving is time-limited and needs a reason; out of service needs a reason.
  app.openapi(routes.shelve, async (c) => {
    const id = alarmId(c)
    const b = c.req.valid('json') as z.output<typeof Shelve>
    const before = await current(c, id)
    return answer(
      c,
      await deps.store.overlayAlarm(
        id,
        { type: 'shelve', by: actorOf(c), reason: b.reason, until: now() + b.minutes * 60_000 },
        now(),
        scope(c),
      ),
      before,
    )
  })
  app.openapi(routes.unshelve, async (c) => {
    const id = alarmId(c)
    const before = await current(c, id)
    return answer(c, await deps.store.overlayAlarm(id, { type: 'unshelve', by: actorOf(c) }, now(), scope(c)), before)
  })
  app.openapi(routes.outOfService, async (c) => {
    const id = alarmId(c)
    const b = c.req.valid('json') as z.output<typeof OutOfService>
    const before = await current(c, id)
    return answer(
      c,
      await deps.store.overlayAlarm(
        id,
        { type: 'remove_from_service', by: actorOf(c), reason: b.reason },
        now(),
        scope(c),
      ),
      before,
    )
  })
  app.openapi(routes.inService, async (c) => {
    const id = alarmId(c)
    const before = await current(c, id)
    return answer(
      c,
      await deps.store.overlayAlarm(id, { type: 'return_to_service', by: actorOf(c) }, now(), scope(c)),
      before,
    )
  })

  for (const type of ['ack', 'triage', 'feedback', 'close'] as const) {
    app.openapi(
      step(
        `/{id}/${type}`,
        STEP_SUMMARY[type],
        bodies[type],
        `POST a JSON body like ${JSON.stringify(examples[type])}`,
      ),
      async (c) => {
        const id = alarmId(c)
        const b = c.req.valid('json') as Record<string, unknown>
        const before = await current(c, id)
        return answer(
          c,
          await deps.store.actOnAlarm(id, { type, ...b, by: actorOf(c) } as Action, now(), scope(c)),
          before,
        )
      },
    )
  }
  return app
}

const examples = {
  ack: {},
  triage: { verdict: 'valid', note: '已电话核实' },
  feedback: { cause: '进料阀卡涩', measures: '切换备用阀' },
  close: { note: '' },
}
