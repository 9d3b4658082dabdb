import type { Hono } from 'hono'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import {
  LEVEL,
  NH3,
  PRESSURE,
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

const MIN = 60_000
const HOUR = 60 * MIN
const clock = manualClock()
let env: Awaited<ReturnType<typeof tempStore>>
let as: (role: 'park_operator' | 'enterprise_user', enterprise?: string) => Promise<Pick<Hono, 'request'>>

beforeEach(async () => {
  env = await tempStore()
  clock.set(T0 + HOUR)
  const auth = testAuth(env.store, clock)
  const app = createApp({ store: env.store, clock, metrics: createMetrics(T0), log: captureLogger().log, ...auth })
  as = async (role, enterprise) => signedIn(app, await testKey(auth.accounts, role, enterprise))
  // The level every 5 min for the first half hour, then silent; NH3 every 5 min all hour (one
  // reading bad); the pressure never. Two samples in one interval count once.
  let seq = 0
  const send = (samples: ReturnType<typeof good>[]) =>
    env.store.ingestBatch(batch(++seq, samples), { site: 'huaian', receivedAt: T0 })
  for (let t = 0; t < HOUR; t += 5 * MIN) {
    const nh3 =
      t === 20 * MIN ? { ...good(NH3, T0 + t, 0), quality: 'bad' as const, reason: 'timeout' } : good(NH3, T0 + t, 3)
    await send([...(t < 30 * MIN ? [good(LEVEL, T0 + t, 6), good(LEVEL, T0 + t + MIN, 6.1)] : []), nh3])
  }
})
afterEach(() => env.dispose())

const get = async (app: Pick<Hono, 'request'>, query: string) => {
  const res = await app.request(`/api/v1/completeness${query}`)
  return { status: res.status, body: (await res.json()) as any }
}

describe('GET /api/v1/completeness', () => {
  it('the share of 5-minute intervals with a good sample, per point, enterprise and park', async () => {
    const { status, body } = await get(await as('park_operator'), `?from=${T0}&to=${T0 + HOUR}`)
    expect(status).toBe(200)
    expect(body).toMatchObject({ from: T0, to: T0 + HOUR, step: 5 * MIN, expected: 12 })
    expect(body.points).toEqual([
      { id: PRESSURE, enterprise: 'fuqiang', received: 0, completeness: 0 },
      { id: NH3, enterprise: 'shilian', received: 11, completeness: 0.9167 },
      { id: LEVEL, enterprise: 'shilian', received: 6, completeness: 0.5 },
    ])
    expect(body.enterprises).toEqual([
      { id: 'fuqiang', points: 1, completeness: 0, connected: false },
      { id: 'shilian', points: 2, completeness: 0.7083, connected: true },
    ])
    expect(body.park).toEqual({ points: 3, completeness: 0.4722, enterprises: 2, connected: 1, connectedShare: 0.5 })
  })

  it('an enterprise sees its own points only; bad ranges are refused', async () => {
    const fuqiang = await as('enterprise_user', 'fuqiang')
    const { body } = await get(fuqiang, `?from=${T0}&to=${T0 + HOUR}`)
    expect(body.points.map((p: any) => p.id)).toEqual([PRESSURE])
    expect(JSON.stringify(body)).not.toMatch(/shilian/)
    const park = await as('park_operator')
    expect((await get(park, `?from=${T0 + HOUR}&to=${T0}`)).status).toBe(400)
    expect((await get(park, `?from=${T0}&to=${T0 + 90 * 24 * HOUR}`)).status).toBe(400)
    expect((await get(park, '?interval=1')).status).toBe(400)
  })
})
