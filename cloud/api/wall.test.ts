import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import {
  LEVEL,
  NH3,
  PRESSURE,
  T0,
  batch,
  birth,
  captureLogger,
  good,
  heartbeat,
  manualClock,
  tempStore,
  testAuth,
  testUser,
} from '../../test/cloud/helpers.ts'
import { createMetrics } from '../metrics.ts'
import type { Store } from '../store/store.ts'
import { createApp } from './app.ts'

const MIN = 60_000
const HOUR = 60 * MIN
const meta = { site: 'huaian', receivedAt: T0 }
let env: Awaited<ReturnType<typeof tempStore>>
let store: Store
const clock = manualClock()

beforeEach(async () => {
  env = await tempStore()
  store = env.store
  clock.set(T0)
})
afterEach(async () => env.dispose())

async function wall(role: 'park_operator' | 'enterprise_user', enterprise?: string) {
  const auth = testAuth(store, clock)
  const app = createApp({ store, clock, metrics: createMetrics(T0), log: captureLogger().log, ...auth })
  const token = await testUser(auth, `${role}-${enterprise ?? 'park'}`, role, enterprise)
  const res = await app.request('/api/v1/wall', { headers: { authorization: `Bearer ${token}` } })
  return { status: res.status, body: (await res.json()) as any }
}

/** GET /api/v1/wall (issue 17): the wall display's summary from the stored alarms, registry, edges and completeness. */
describe('GET /api/v1/wall', () => {
  it('counts today by priority, active, disposal rate, per hour and top points, and lights the plan by the worst active alarm', async () => {
    await store.registry.create('hazardSources', {
      id: 'shilian-nh3-tanks',
      enterprise: 'shilian',
      name: '液氨罐区',
      level: 1,
    })
    await store.registry.patchPoint(LEVEL, { hazardSource: 'shilian-nh3-tanks' })
    // Yesterday (local, +08:00) at 23:30: in the last 24 h, not today. T0 is 08:00 local.
    await store.ingestBatch(batch(1, [good(NH3, T0 - 8 * HOUR - 30 * MIN, 30)]), meta) // H (gas: B)
    await store.ingestBatch(batch(2, [good(NH3, T0 - 8 * HOUR - 20 * MIN, 5)]), meta)
    await store.recordBirth('huaian', birth('s-1'), T0)
    clock.set(T0 + 30 * MIN)
    await store.recordState('huaian', heartbeat('s-1', { ts: T0 + 30 * MIN }), T0 + 30 * MIN)
    await store.ingestBatch(batch(3, [good(LEVEL, T0 + 10 * MIN, 11), good(PRESSURE, T0 + 10 * MIN, 0.9)]), meta) // LEVEL: HH S + H A; PRESSURE: H (MHS: A)
    const { status, body } = await wall('park_operator')
    expect(status).toBe(200)
    expect(body.dayStart).toBe(T0 - 8 * HOUR)
    expect(body.today).toMatchObject({
      total: 3,
      byPriority: { S: 1, A: 2, B: 0, C: 0, D: 0 },
      closed: 0,
      disposalRate: 0,
    })
    expect(body.active).toBe(3)
    expect(body.perHour).toHaveLength(24)
    expect(body.perHour.reduce((n: number, h: { count: number }) => n + h.count, 0)).toBe(4)
    expect(body.perHour.at(-1)).toEqual({ at: T0, count: 3 })
    expect(body.topPoints[0]).toMatchObject({ point: LEVEL, count: 2, enterprise: 'shilian' })
    expect(body.edges).toEqual({ online: 1, total: 1 })
    expect(body.enterprises.total).toBe(2)
    expect(body.plan.enterprises.find((e: any) => e.id === 'shilian')).toMatchObject({
      name: '实联化工',
      worst: 'S',
      active: 2,
    })
    expect(body.plan.enterprises.find((e: any) => e.id === 'fuqiang')).toMatchObject({ worst: 'A', active: 1 })
    expect(body.plan.hazardSources).toEqual([
      { id: 'shilian-nh3-tanks', enterprise: 'shilian', name: '液氨罐区', level: 1, worst: 'S', active: 2 },
    ])
    expect(typeof body.completenessToday).toBe('number')
  })

  it('an enterprise sees its own alarms and hazard sources only, and no edge it is not bound to', async () => {
    await store.ingestBatch(batch(1, [good(LEVEL, T0, 11), good(PRESSURE, T0, 0.9)]), meta)
    await store.recordBirth('huaian', birth('s-1'), T0)
    const { body } = await wall('enterprise_user', 'fuqiang')
    expect(body.today.total).toBe(1)
    expect(body.plan.enterprises.map((e: any) => e.id)).toEqual(['fuqiang'])
    expect(JSON.stringify(body)).not.toMatch(/shilian/)
    expect(body.edges).toEqual({ online: 0, total: 0 })
  })
})
