import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { Hono } from 'hono'
import {
  LEVEL,
  NH3,
  T0,
  batch,
  captureLogger,
  good,
  manualClock,
  tempStore,
  testAuth,
  testUser,
  TEST_PASSWORD,
} from '../../test/cloud/helpers.ts'
import type { Role } from '../auth/roles.ts'
import { createMetrics } from '../metrics.ts'
import { createApp } from './app.ts'

const HOUR = 3_600_000
const meta = { site: 'huaian', receivedAt: T0 }
let env: Awaited<ReturnType<typeof tempStore>>
let app: Hono
let auth: ReturnType<typeof testAuth>
let people: Set<string>
const clock = manualClock()

/** Who acts: an enterprise's engineer requests, the park decides ("e" and "park" are park administrators). */
const PEOPLE: Record<string, [Role, string?]> = {
  'shilian-wang': ['enterprise_user', 'shilian'],
  'park-zhao': ['park_admin'],
  park: ['park_admin'],
  e: ['park_admin'],
}
async function tokenOf(name: string) {
  if (people.has(name)) return (await auth.auth.login(name, TEST_PASSWORD)).tokens.accessToken
  people.add(name)
  return testUser(auth, name, ...(PEOPLE[name] ?? ['park_admin']))
}

/** The person named by the body's `by` logs in; the body goes without it (the actor is the identity). */
async function call(method: 'GET' | 'POST', path: string, body?: Record<string, unknown>) {
  const { by = 'park', ...rest } = (body ?? {}) as { by?: string }
  const headers = { authorization: `Bearer ${await tokenOf(by)}`, 'content-type': 'application/json' }
  const res = await app.request(
    path,
    body === undefined ? { method, headers } : { method, body: JSON.stringify(rest), headers },
  )
  return { status: res.status, body: (await res.json()) as any }
}

beforeEach(async () => {
  env = await tempStore()
  clock.set(T0)
  auth = testAuth(env.store, clock)
  people = new Set()
  app = createApp({ store: env.store, clock, metrics: createMetrics(T0), log: captureLogger().log, ...auth })
})
afterEach(async () => env.dispose())

const alarmsOf = async (point: string) =>
  ((await call('GET', `/api/v1/alarms?state=all&point=${point}`)).body as any[]).map((a) => [
    a.kind,
    Math.floor((a.raisedAt - T0) / HOUR),
  ])

describe('maintenance windows (故障点位申请)', () => {
  it('no alarm inside an approved window (the data is stored, the raise counted); an alarm again after it ends', async () => {
    const requested = await call('POST', '/api/v1/maintenance-windows', {
      enterprise: 'shilian',
      points: [LEVEL],
      from: T0 + HOUR,
      to: new Date(T0 + 3 * HOUR).toISOString(),
      reason: 'TK-101 液位计检修',
      by: 'shilian-wang',
    })
    expect(requested).toMatchObject({ status: 201, body: { status: 'requested', points: [LEVEL], to: T0 + 3 * HOUR } })
    const id = requested.body.id
    // Before approval a window suppresses nothing.
    await env.store.ingestBatch(batch(1, [good(LEVEL, T0 + HOUR + 1, 11)]), meta)
    expect(await alarmsOf(LEVEL)).toEqual([
      ['HH', 1],
      ['H', 1],
    ])
    await env.store.ingestBatch(batch(2, [good(LEVEL, T0 + HOUR + 2, 5)]), meta) // recovers

    expect(
      (await call('POST', `/api/v1/maintenance-windows/${id}/approve`, { by: 'park-zhao', note: '同意' })).body,
    ).toMatchObject({ status: 'approved', decidedBy: 'park-zhao' })
    await env.store.ingestBatch(batch(3, [good(LEVEL, T0 + 2 * HOUR, 11), good(NH3, T0 + 2 * HOUR, 45)]), meta)
    expect(await alarmsOf(LEVEL)).toEqual([
      ['HH', 1],
      ['H', 1],
    ]) // nothing new for the covered point…
    expect((await alarmsOf(NH3)).length).toBe(2) // …while an uncovered point still alarms
    expect(
      (await call('GET', `/api/v1/points/${LEVEL}/history?from=${T0}&to=${T0 + 4 * HOUR}`)).body.samples.map(
        (s: any) => s.value,
      ),
    ).toEqual([11, 5, 11])
    expect((await call('GET', `/api/v1/maintenance-windows/${id}`)).body).toMatchObject({ suppressed: 2 })

    // The window ends by itself: still over the limit, the next sample raises.
    await env.store.ingestBatch(batch(4, [good(LEVEL, T0 + 3 * HOUR, 11)]), meta)
    expect(await alarmsOf(LEVEL)).toEqual([
      ['HH', 3],
      ['H', 3],
      ['HH', 1],
      ['H', 1],
    ])
  })

  it('decisions fit the state: approve once, reject with a note, cancel an approved one (409 otherwise)', async () => {
    const ask = async () =>
      (
        await call('POST', '/api/v1/maintenance-windows', {
          enterprise: 'shilian',
          points: [LEVEL],
          from: T0,
          to: T0 + HOUR,
          reason: 'r',
          by: 'e',
        })
      ).body.id
    const a = await ask()
    await call('POST', `/api/v1/maintenance-windows/${a}/approve`, { by: 'park' })
    expect(await call('POST', `/api/v1/maintenance-windows/${a}/approve`, { by: 'park' })).toMatchObject({
      status: 409,
      body: { error: { code: 'PL_STATE_CONFLICT' }, window: { status: 'approved' } },
    })
    clock.set(T0 + HOUR / 2)
    expect((await call('POST', `/api/v1/maintenance-windows/${a}/cancel`, { by: 'park' })).body).toMatchObject({
      status: 'cancelled',
      to: T0 + HOUR / 2,
    })
    const b = await ask()
    expect(
      (await call('POST', `/api/v1/maintenance-windows/${b}/reject`, { by: 'park', note: '理由不充分' })).body,
    ).toMatchObject({ status: 'rejected', decisionNote: '理由不充分' })
    expect((await call('GET', '/api/v1/maintenance-windows?status=rejected')).body.map((w: any) => w.id)).toEqual([b])
  })

  it.each([
    ['no reason', { enterprise: 'shilian', points: [LEVEL], from: T0, to: T0 + HOUR, by: 'e' }, 400, /reason/],
    [
      'an end before the start',
      { enterprise: 'shilian', points: [LEVEL], from: T0 + HOUR, to: T0, reason: 'r', by: 'e' },
      400,
      /end after it starts/,
    ],
    [
      'a point of another enterprise',
      { enterprise: 'fuqiang', points: [LEVEL], from: T0, to: T0 + HOUR, reason: 'r', by: 'e' },
      400,
      /not points of enterprise fuqiang/,
    ],
    [
      'nothing covered',
      { enterprise: 'shilian', devices: ['no-such-device'], from: T0, to: T0 + HOUR, reason: 'r', by: 'e' },
      400,
      /covers no points/,
    ],
    [
      'a zoneless time',
      { enterprise: 'shilian', points: [LEVEL], from: '2025-01-31T08:00:00', to: T0 + HOUR, reason: 'r', by: 'e' },
      400,
      /zone/,
    ],
  ])('refuses a request with %s', async (_name, body, status, message) => {
    const r = await call('POST', '/api/v1/maintenance-windows', body)
    expect(r.status).toBe(status)
    expect(r.body.error.message).toMatch(message)
  })
})
