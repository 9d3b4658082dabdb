import { Hono, type Context } from 'hono'
import { z } from 'zod'
import { PointId, TopicId } from '../../../shared/wire/ids.ts'
import type { WindowOutcome } from '../../store/store.ts'
import type { ApiDeps } from '../deps.ts'
import { badRequest, notFound } from '../errors.ts'
import { parseQuery, TimeParam } from '../params.ts'
import { idParam, readBody, stateConflict } from '../body.ts'
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
const ListQuery = z.strictObject({ status: z.enum(['requested', 'approved', 'rejected', 'cancelled']).optional(), enterprise: TopicId.optional() })

/**
 * /api/v1/maintenance-windows (故障点位申请): an enterprise requests a window over points or
 * devices with a reason and a time range; the park approves, rejects or cancels it. Inside an
 * approved window the covered points raise no alarms (the data is still stored, and each raise
 * not made is counted on the window); it ends by itself at `to`.
 */
export function windowsRoutes(deps: ApiDeps): Hono {
  const app = new Hono()
  const answer = (c: Context, outcome: WindowOutcome, created = false, before: unknown = null) => {
    if (outcome.ok) {
      audited(c, { target: `window:${outcome.window.id}`, before, after: outcome.window })
      return c.json(outcome.window, created ? 201 : 200)
    }
    if (outcome.code === 'NOT_FOUND') throw notFound(outcome.message)
    if (outcome.code === 'BAD_REQUEST') throw badRequest(outcome.message, 'name the enterprise\'s points or devices, a reason, and from < to in the future')
    return stateConflict(c, outcome.message, 'window', outcome.window)
  }
  const id = (c: Context) => idParam(c, 'a window')

  app.get('/', async (c) => {
    const q = parseQuery(c, ListQuery, 'status: requested|approved|rejected|cancelled; enterprise')
    ownEnterprise(c, q.enterprise)
    return c.json(await deps.store.listWindows({ ...q, scope: scope(c) }))
  })
  app.get('/:id', async (c) => {
    const w = await deps.store.getWindow(id(c), scope(c))
    if (!w) throw notFound(`no maintenance window ${c.req.param('id')}`)
    return c.json(w)
  })
  app.post('/', async (c) => {
    const r = await readBody(c, Request, 'POST {"enterprise", "points" or "devices", "from", "to" (epoch ms or ISO-8601 with a zone), "reason"}')
    ownEnterprise(c, r.enterprise)
    return answer(c, await deps.store.requestWindow({ ...r, by: actorOf(c), ...(r.points ? { points: r.points } : {}), ...(r.devices ? { devices: r.devices } : {}) }, deps.clock.now(), scope(c)), true)
  })
  for (const decision of ['approve', 'reject', 'cancel'] as const) {
    app.post(`/:id/${decision}`, async (c) => {
      const d = await readBody(c, Decision, 'POST {"note": "…"} (optional)')
      const before = await deps.store.getWindow(id(c), scope(c))
      return answer(c, await deps.store.decideWindow(id(c), { decision, by: actorOf(c), ...(d.note ? { note: d.note } : {}) }, deps.clock.now(), scope(c)), false, before)
    })
  }
  return app
}
