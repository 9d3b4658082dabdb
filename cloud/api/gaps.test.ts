import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { Hono } from 'hono'
import { GapRecord } from '../../shared/wire/gap.ts'
import {
  LEVEL,
  NH3,
  T0,
  batch,
  captureLogger,
  good,
  manualClock,
  signedIn,
  tempStore,
  testAuth,
  testKey,
} from '../../test/cloud/helpers.ts'
import { createMetrics } from '../metrics.ts'
import { createApp } from './app.ts'

/** Gap records from the edges: stored with the batch that carries them, listed by the API and with a point's history. */
let env: Awaited<ReturnType<typeof tempStore>>
let app: Pick<Hono, 'request'>
const clock = manualClock()
const meta = { site: 'huaian', receivedAt: T0 + 50_000 }

const gap = (over: Partial<GapRecord> = {}): GapRecord => ({
  reason: 'cap',
  fromSeq: 1,
  throughSeq: 3,
  batches: 3,
  samples: 30,
  from: T0,
  to: T0 + 2_000,
  points: [LEVEL],
  at: T0 + 40_000,
  ...over,
})
async function get(path: string) {
  const res = await app.request(path)
  return { status: res.status, body: (await res.json()) as any }
}

beforeEach(async () => {
  env = await tempStore()
  clock.set(T0 + 60_000)
  const auth = testAuth(env.store, clock)
  app = signedIn(
    createApp({ store: env.store, clock, metrics: createMetrics(T0), log: captureLogger().log, ...auth }),
    await testKey(auth.accounts),
  )
})
afterEach(async () => env.dispose())

describe('gap records in the cloud', () => {
  it('are stored with their batch; a grown record replaces the narrower one, never the reverse', async () => {
    await env.store.ingestBatch({ ...batch(4, [good(LEVEL, T0 + 5_000, 7)], { floor: 4 }), gaps: [gap()] }, meta)
    await env.store.ingestBatch(
      {
        ...batch(5, [good(LEVEL, T0 + 6_000, 7)], { floor: 5 }),
        gaps: [gap({ throughSeq: 4, batches: 4, samples: 31, to: T0 + 5_000 })],
      },
      meta,
    )
    // A late resend of the older version (batch 4 again, or another carrier) does not shrink it.
    await env.store.ingestBatch({ ...batch(6, [good(LEVEL, T0 + 7_000, 7)], { floor: 6 }), gaps: [gap()] }, meta)
    const { status, body } = await get('/api/v1/gaps?edge=shilian-01')
    expect(status).toBe(200)
    expect(body).toEqual([
      {
        edge: 'shilian-01',
        reason: 'cap',
        fromSeq: 1,
        throughSeq: 4,
        batches: 4,
        samples: 31,
        from: T0,
        to: T0 + 5_000,
        points: [LEVEL],
        at: T0 + 40_000,
        receivedAt: meta.receivedAt,
      },
    ])
  })

  it('lists samples an edge refused on a full disk (reason disk_full, issue 14)', async () => {
    const full = gap({
      reason: 'disk_full',
      fromSeq: 7,
      throughSeq: 7,
      batches: 12,
      samples: 1_200,
      points: [LEVEL, NH3],
    })
    // Parsed as the wire carries it: the reason is part of the contract.
    expect(GapRecord.parse(full)).toEqual(full)
    await env.store.ingestBatch({ ...batch(8, [good(LEVEL, T0 + 9_000, 7)], { floor: 8 }), gaps: [full] }, meta)
    const { body } = await get('/api/v1/gaps?edge=shilian-01')
    expect(body).toEqual([{ edge: 'shilian-01', ...full, receivedAt: meta.receivedAt }])
  })

  it('filters by edge, point (a gap of "all" points counts for every point) and overlapping time', async () => {
    await env.store.ingestBatch(
      {
        ...batch(10, [good(LEVEL, T0 + 90_000, 7)], { floor: 10 }),
        gaps: [
          gap(),
          gap({ reason: 'age', fromSeq: 5, throughSeq: 9, from: T0 + 10_000, to: T0 + 20_000, points: 'all' }),
        ],
      },
      meta,
    )
    await env.store.ingestBatch(
      { ...batch(3, [good(NH3, T0, 1)], { edge: 'other-edge' }), gaps: [gap({ points: [NH3] })] },
      meta,
    )
    const seqs = async (q: string) =>
      (await get(`/api/v1/gaps?${q}`)).body.map((g: { edge: string; fromSeq: number }) => `${g.edge}:${g.fromSeq}`)
    expect(await seqs('edge=shilian-01')).toEqual(['shilian-01:5', 'shilian-01:1'])
    expect(await seqs(`point=${NH3}`)).toEqual(['shilian-01:5', 'other-edge:1'])
    expect(await seqs(`from=${T0 + 15_000}&to=${T0 + 30_000}`)).toEqual(['shilian-01:5'])
    expect(await seqs(`to=${T0 + 1_000}&edge=shilian-01`)).toEqual(['shilian-01:1'])
    expect((await get('/api/v1/gaps?edg=x')).status).toBe(400)
    expect((await get(`/api/v1/gaps?from=${T0 + 2}&to=${T0 + 1}`)).status).toBe(400)
  })

  it('show in the history of a point, where completeness is checked', async () => {
    await env.store.ingestBatch({ ...batch(4, [good(LEVEL, T0 + 5_000, 7)], { floor: 4 }), gaps: [gap()] }, meta)
    const { body } = await get(`/api/v1/points/${LEVEL}/history?from=${T0}&to=${T0 + 10_000}`)
    expect(body.samples).toHaveLength(1)
    expect(body.gaps).toEqual([{ from: T0, to: T0 + 2_000, samples: 30, reason: 'cap' }])
    expect((await get(`/api/v1/points/${NH3}/history?from=${T0}&to=${T0 + 10_000}`)).body.gaps).toEqual([])
  })
})
