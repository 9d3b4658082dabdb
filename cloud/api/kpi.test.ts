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
/** T0 is 08:00 in Beijing: its local day began 8 h earlier. */
const DAY0 = T0 - 8 * HOUR
const clock = manualClock()
let env: Awaited<ReturnType<typeof tempStore>>
let as: (role: 'park_operator' | 'enterprise_user', enterprise?: string) => Promise<Pick<Hono, 'request'>>

beforeEach(async () => {
  env = await tempStore()
  clock.set(T0 + HOUR)
  const auth = testAuth(env.store, clock)
  const app = createApp({ store: env.store, clock, metrics: createMetrics(T0), log: captureLogger().log, ...auth })
  as = async (role, enterprise) => signedIn(app, await testKey(auth.accounts, role, enterprise))
  let seq = 0
  const send = (...samples: ReturnType<typeof good>[]) =>
    env.store.ingestBatch(batch(++seq, samples), { site: 'huaian', receivedAt: T0 })
  // The level: H (class A on a major hazard source) for 20 s, a fleeting alarm; the NH3: H (B) for
  // half an hour; fuqiang's pressure: H (A), still active.
  await send(good(LEVEL, T0 + MIN, 10), good(NH3, T0 + 2 * MIN, 25), good(PRESSURE, T0 + 3 * MIN, 0.9))
  await send(good(LEVEL, T0 + MIN + 20_000, 6), good(NH3, T0 + 32 * MIN, 3))
})
afterEach(() => env.dispose())

const get = async (app: Pick<Hono, 'request'>, query: string) => {
  const res = await app.request(`/api/v1/kpi/park${query}`)
  return { status: res.status, body: (await res.json()) as any }
}

describe('GET /api/v1/kpi/park', () => {
  it("the park's KPIs per local day, for the park and for one enterprise", async () => {
    const park = await as('park_operator')
    const { status, body } = await get(park, `?from=${DAY0}&to=${DAY0 + 24 * HOUR}`)
    expect(status).toBe(200)
    expect(body.days).toEqual([
      expect.objectContaining({ date: '2025-01-31', total: 3, aClass: 2, fleeting: 1, offline: 0, hours: 24 }),
    ])
    expect(body).toMatchObject({ perDay: { total: 3, aClass: 2, fleeting: 1 }, enterprise: null, fleetingS: 60 })
    expect(body.hourly[8]).toEqual({ start: T0, count: 3 })
    expect(body.isa).toMatchObject({ floodPercent: 0, chattering: [] })
    const shilian = (await get(park, `?from=${DAY0}&to=${DAY0 + 24 * HOUR}&enterprise=shilian`)).body
    expect(shilian.days[0]).toMatchObject({ total: 2, aClass: 1, fleeting: 1 })
    // A shorter fleeting bound: the 20 s alarm is no longer fleeting.
    expect((await get(park, `?from=${DAY0}&to=${DAY0 + 24 * HOUR}&fleeting=10`)).body.days[0].fleeting).toBe(0)
  })

  it('an enterprise sees its own alarms only; bad ranges are refused', async () => {
    const fuqiang = await as('enterprise_user', 'fuqiang')
    const { body } = await get(fuqiang, `?from=${DAY0}&to=${DAY0 + 24 * HOUR}`)
    expect(body.days[0]).toMatchObject({ total: 1, aClass: 1 })
    expect((await get(fuqiang, '?enterprise=shilian')).status).toBe(403)
    const park = await as('park_operator')
    expect((await get(park, `?from=${T0}&to=${T0}`)).status).toBe(400)
    expect((await get(park, `?from=${T0}&to=${T0 + 90 * 24 * HOUR}`)).status).toBe(400)
    expect((await get(park, '?fleeting=0')).status).toBe(400)
  })
})
