import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { Hono } from 'hono'
import { encode } from '../../shared/wire/codec.ts'
import {
  LEVEL,
  T0,
  batch,
  captureLogger,
  good,
  manualClock,
  ownershipParts,
  signedIn,
  tempStore,
  testAuth,
  testKey,
} from '../../test/cloud/helpers.ts'
import { AckTracker } from '../ingest/ack-tracker.ts'
import type { IngestContext } from '../ingest/context.ts'
import { handleData } from '../ingest/handle-data.ts'
import { createMetrics } from '../metrics.ts'
import { createApp } from './app.ts'

/**
 * Edges and bindings through the registry API (issue 13): an edge's site and enterprise, and a
 * point moved between edges, audited, and in force for the very next batch (the ingest's
 * ownership cache is dropped by the API).
 */
const clock = manualClock()
let env: Awaited<ReturnType<typeof tempStore>>
let admin: Pick<Hono, 'request'>
let auditor: Pick<Hono, 'request'>
let ctx: IngestContext

beforeEach(async () => {
  env = await tempStore()
  clock.set(T0)
  const metrics = createMetrics(T0)
  const log = captureLogger().log
  ctx = {
    store: env.store,
    tracker: new AckTracker(),
    clock,
    metrics,
    log,
    publish: () => {},
    ...ownershipParts({ store: env.store, clock, log, metrics, policy: 'strict' }),
  }
  const auth = testAuth(env.store, clock)
  const app = createApp({ store: env.store, clock, metrics, log, ...auth, ownership: ctx.ownership })
  admin = signedIn(app, await testKey(auth.accounts, 'park_admin'))
  auditor = signedIn(app, await testKey(auth.accounts, 'auditor'))
})
afterEach(async () => env.dispose())

const json = (method: string, body: unknown) => ({
  method,
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify(body),
})
const read = async (res: Response | Promise<Response>): Promise<any> => (await res).json()
const send = (edge: string, seq: number, value: number, site = 'huaian') =>
  handleData(ctx, {
    topic: `parklink/v1/${site}/${edge}/data`,
    payload: encode(batch(seq, [good(LEVEL, T0 + value * 1_000, value)], { edge })),
    retained: false,
  })
const audit = async (action: string) => read(auditor.request(`/api/v1/audit?action=${encodeURIComponent(action)}`))

describe('registry API: edges and bindings', () => {
  it('a point moves to another edge only through the API: audited with old and new, in force at the next batch', async () => {
    for (const id of ['shilian-01', 'shilian-02'])
      expect(
        (await admin.request('/api/v1/registry/edges', json('POST', { id, site: 'huaian', enterprise: 'shilian' })))
          .status,
      ).toBe(201)
    expect(
      await read(admin.request(`/api/v1/registry/points/${LEVEL}/edge`, json('PUT', { edge: 'shilian-01' }))),
    ).toEqual({ id: LEVEL, edge: 'shilian-01' })
    expect(await send('shilian-01', 1, 7)).toMatchObject({ kind: 'stored', result: { samples: 1 } })

    const moved = await admin.request(`/api/v1/registry/points/${LEVEL}/edge`, json('PUT', { edge: 'shilian-02' }))
    expect(moved.status, await moved.clone().text()).toBe(200)
    const entries = await audit('PUT /api/v1/registry/points/:id/edge')
    expect(entries[0]).toMatchObject({
      actor: 'key:test-park_admin-park',
      target: `points/${LEVEL}/edge`,
      outcome: 'ok',
      before: { edge: 'shilian-01' },
      after: { edge: 'shilian-02' },
    })

    // The old edge is refused now, the new one stored.
    expect(await send('shilian-01', 2, 8)).toMatchObject({ kind: 'stored', result: { samples: 0 } })
    expect(await send('shilian-02', 1, 9)).toMatchObject({ kind: 'stored', result: { samples: 1 } })
    expect((await env.store.getPoint(LEVEL, 'all'))?.latest).toMatchObject({ value: 9 })
    expect(ctx.metrics.ingest.refused.foreign_point).toBe(1)
  })

  it("an enterprise's point never goes to another enterprise's edge", async () => {
    await admin.request(
      '/api/v1/registry/edges',
      json('POST', { id: 'fuqiang-01', site: 'huaian', enterprise: 'fuqiang' }),
    )
    const res = await admin.request(`/api/v1/registry/points/${LEVEL}/edge`, json('PUT', { edge: 'fuqiang-01' }))
    expect(res.status).toBe(409)
    expect((await read(res)).error.code).toBe('PL_STATE_CONFLICT')
  })

  it("an edge's site is its registry entry's: changed through the API (audited), refused under another", async () => {
    await admin.request(
      '/api/v1/registry/edges',
      json('POST', { id: 'shilian-01', site: 'huaian', enterprise: 'shilian' }),
    )
    await admin.request(`/api/v1/registry/points/${LEVEL}/edge`, json('PUT', { edge: 'shilian-01' }))
    expect(await send('shilian-01', 1, 7, 'lianyungang')).toMatchObject({ kind: 'rejected', reason: 'site_mismatch' })
    expect(
      await read(admin.request('/api/v1/registry/edges/shilian-01', json('PATCH', { site: 'lianyungang' }))),
    ).toEqual({ id: 'shilian-01', site: 'lianyungang', enterprise: 'shilian', claim: null })
    expect(await send('shilian-01', 1, 7, 'lianyungang')).toMatchObject({ kind: 'stored', result: { samples: 1 } })
    expect((await audit('PATCH /api/v1/registry/edges/:id'))[0]).toMatchObject({
      before: { site: 'huaian' },
      after: { site: 'lianyungang' },
    })
    // Still bound to a point: not removed.
    expect((await admin.request('/api/v1/registry/edges/shilian-01', { method: 'DELETE' })).status).toBe(409)
  })
})
