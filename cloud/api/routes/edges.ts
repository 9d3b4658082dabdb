import type { OpenAPIHono } from '@hono/zod-openapi'
import type { EdgeRecord } from '../../store/store.ts'
import type { ApiDeps } from '../deps.ts'
import { ErrorCodes, ParklinkError, errorMessage } from '../../../shared/errors.ts'
import { PointId } from '../../../shared/wire/ids.ts'
import { notFound } from '../errors.ts'
import { IdParams, REFUSALS, apiRouter, createRoute, json, jsonBody, z } from '../openapi/route.ts'
import { bundleView, edgeConfigRoutes } from './edge-config.ts'

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
    /** The id of the edge's current outbox; ackedThrough counts its seqs. */
    outboxId: e.outboxId,
    ackedThrough: e.ackedThrough,
    configHash: e.configHash,
    drivers: e.drivers,
    /** Its clock minus the cloud's (ms), from its fresh status messages, and when estimated (issue 14); null until known. */
    clockOffsetMs: e.clockOffsetMs ?? null,
    clockCheckedAt: e.clockCheckedAt ?? null,
  }
}

/** GET /api/v1/edges */
const list = createRoute({
  method: 'get',
  path: '/',
  tags: ['edges'],
  summary: 'Each edge: online/offline, last seen, session, outbox depth, acked seq, drivers, clock offset',
  request: { query: z.strictObject({}) },
  responses: { 200: json('the edges'), ...REFUSALS },
})

/** What a person may ask an edge (resends are the hole watch's, pictures have their own route). */
const EdgeCommand = z
  .discriminatedUnion('type', [
    z.strictObject({ type: z.literal('ping') }),
    z.strictObject({ type: z.literal('status') }),
    z.strictObject({ type: z.literal('read'), point: PointId }),
  ])
  .openapi('EdgeCommand', {
    description:
      'ping: is it there; status: outbox, drivers, acked seq now; read: one point read now, out of its schedule',
  })
const EdgeCommandQuery = z.strictObject({
  timeoutS: z.coerce
    .number()
    .int()
    .min(1)
    .max(60)
    .default(10)
    .openapi({ description: 'how long to wait for the answer (s)' }),
})

/** POST /api/v1/edges/{id}/commands */
const command = createRoute({
  method: 'post',
  path: '/{id}/commands',
  tags: ['edges'],
  summary: 'Ask an edge now: ping, status, or read one point (the command channel), and wait for its answer',
  request: { params: IdParams, query: EdgeCommandQuery, body: jsonBody(EdgeCommand) },
  responses: {
    200: json("the edge's answer (ok, result or error)"),
    ...REFUSALS,
    404: json('no such edge'),
    504: json('the edge did not answer in time, or the cloud has no broker connection'),
  },
})

export function edgesRoutes(deps: ApiDeps): OpenAPIHono {
  const app = apiRouter()
  app.openapi(list, async (c) => {
    const now = deps.clock.now()
    const offlineAfter = deps.edgeOfflineAfterMs ?? DEFAULT_EDGE_OFFLINE_AFTER_MS
    const bundles = new Map((await deps.store.bundleStates()).map((b) => [b.edge, b]))
    return c.json(
      (await deps.store.listEdges()).map((e) => ({
        ...edgeView(e, now, offlineAfter),
        ...bundleView(e, bundles.get(e.id)),
      })),
    )
  })
  edgeConfigRoutes(app, deps)
  app.openapi(command, async (c) => {
    const { id } = c.req.valid('param')
    const { timeoutS } = c.req.valid('query')
    const body = c.req.valid('json')
    const edge = (await deps.store.listEdges()).find((e) => e.id === id)
    if (!edge) throw notFound(`no edge ${id}`, 'list the edges with GET /api/v1/edges')
    const started = deps.clock.now()
    const pending = deps.commandEdge?.(edge.site, edge.id, body, timeoutS * 1000) ?? null
    if (pending === null)
      throw new ParklinkError(
        ErrorCodes.EDGE_UNREACHABLE,
        'the cloud has no broker connection: no command can reach an edge',
        { hint: 'see mqtt in GET /api/v1/health' },
      )
    try {
      const answer = await pending
      return c.json({
        edge: id,
        command: body.type,
        ms: deps.clock.now() - started,
        ok: answer.ok,
        ...(answer.result ? { result: answer.result } : {}),
        ...(answer.error ? { error: answer.error } : {}),
      })
    } catch (err) {
      throw new ParklinkError(ErrorCodes.EDGE_UNREACHABLE, errorMessage(err), {
        cause: err,
        hint: 'is the edge online (GET /api/v1/edges)?',
      })
    }
  })
  return app
}
