import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Hono } from 'hono'
import { createHash, generateKeyPairSync, randomUUID } from 'node:crypto'
import { signViewerToken, verifyViewerToken } from '../../shared/wire/live-token.ts'
import { readFileSync } from 'node:fs'
import type { CameraEvent } from '../../shared/wire/camera.ts'
import { SNAPSHOT_FIXTURE } from '../../test/sim/onvif-sim.ts'
import {
  LEVEL,
  PRESSURE,
  T0,
  batch,
  birth,
  captureLogger,
  good,
  manualClock,
  tempStore,
  testAuth,
  testKey,
} from '../../test/cloud/helpers.ts'
import { PERMISSIONS, ROUTE_ACCESS, accessOf } from '../auth/permissions.ts'
import { ROLES, isEnterpriseRole, type Role } from '../auth/roles.ts'
import { createAlarmFeed } from '../alarms/feed.ts'
import { createMetrics } from '../metrics.ts'
import { createApp } from './app.ts'

/**
 * The route inventory: every route createApp registers is walked, and the access table
 * (cloud/auth/permissions.ts) decides what each must refuse. A route added later without an
 * entry fails here; with an entry it is checked like the others, automatically:
 *   - no credentials (and a forged token) → 401,
 *   - every role without the permission → 403,
 *   - every role with it → neither 401 nor 403,
 *   - an enterprise identity on another enterprise's rows → 403 or 404, nothing of that
 *     enterprise in the answer, and nothing of it changed.
 */
const HOUR = 3_600_000
const clock = manualClock()
let env: Awaited<ReturnType<typeof tempStore>>
let app: Hono
const keys = new Map<Role, string>()
/** The cloud's live-view signing key; the edge knows its public half. */
const liveKey = generateKeyPairSync('ed25519')
/** Ids of shilian's (own) and fuqiang's (foreign) alarm and window, for `:id`. */
const ids = {
  ownAlarm: 0,
  foreignAlarm: 0,
  ownWindow: 0,
  foreignWindow: 0,
  ownGasWarning: 0,
  foreignGasWarning: 0,
  user: 0,
  key: 0,
  ownSnapshot: '',
  foreignSnapshot: '',
}

/** Example bodies: valid for the route, so a refusal is the access control's, not the validator's. */
const EXAMPLES: Record<string, (own: boolean) => unknown> = {
  'POST /api/v1/auth/login': () => ({ username: 'nobody', password: 'x' }),
  'POST /api/v1/auth/refresh': () => ({ refreshToken: 'plr_nothing' }),
  'POST /api/v1/auth/password': () => ({ username: 'nobody', password: 'x', newPassword: 'Zhong-an-2026' }),
  'POST /api/v1/auth/logout': () => ({}),
  'POST /api/v1/edges/:id/commands': () => ({ type: 'ping' }),
  'POST /api/v1/alarms/close': (own) => ({ ids: [own ? ids.ownAlarm : ids.foreignAlarm] }),
  'POST /api/v1/alarms/:id/ack': () => ({}),
  'POST /api/v1/alarms/:id/triage': () => ({ verdict: 'valid' }),
  'POST /api/v1/alarms/:id/feedback': () => ({ cause: '阀门卡涩', measures: '更换' }),
  'POST /api/v1/alarms/:id/close': () => ({}),
  'POST /api/v1/alarms/:id/shelve': () => ({ reason: '标定', minutes: 10 }),
  'POST /api/v1/alarms/:id/unshelve': () => ({}),
  'POST /api/v1/alarms/:id/out-of-service': () => ({ reason: '更换探头' }),
  'POST /api/v1/alarms/:id/in-service': () => ({}),
  'POST /api/v1/maintenance-windows': (own) => ({
    enterprise: own ? 'shilian' : 'fuqiang',
    points: [own ? LEVEL : PRESSURE],
    from: T0,
    to: T0 + HOUR,
    reason: '检修',
  }),
  'POST /api/v1/maintenance-windows/:id/approve': () => ({}),
  'POST /api/v1/maintenance-windows/:id/reject': () => ({}),
  'POST /api/v1/maintenance-windows/:id/cancel': () => ({}),
  'POST /api/v1/gas-warnings/:id/report': () => ({ text: '法兰泄漏，已更换垫片', attachments: ['report.pdf'] }),
  'POST /api/v1/users': () => ({
    username: `u${Math.random().toString(36).slice(2, 8)}`,
    role: 'auditor',
    password: 'Zhong-an-2025',
  }),
  'POST /api/v1/users/:id/unlock': () => ({}),
  'POST /api/v1/users/:id/disable': () => ({}),
  'POST /api/v1/users/:id/enable': () => ({}),
  'POST /api/v1/users/:id/password': () => ({ password: 'Zhong-an-2027' }),
  'POST /api/v1/api-keys': () => ({ name: `k${Math.random().toString(36).slice(2, 8)}`, role: 'auditor' }),
  'POST /api/v1/api-keys/:id/revoke': () => ({}),
  'POST /api/v1/cameras/:id/live-token': () => ({}),
  'POST /api/v1/alarms/:id/snapshots': (own) => ({ area: own ? 'shilian-gate' : 'fuqiang-gate' }),
  'POST /api/v1/registry/enterprises': () => ({ id: `e${Math.random().toString(36).slice(2, 8)}`, name: '新企业' }),
  'PATCH /api/v1/registry/enterprises/:id': () => ({}),
  'DELETE /api/v1/registry/enterprises/:id': () => ({}),
  'POST /api/v1/registry/hazard-sources': (own) => ({
    id: `h${Math.random().toString(36).slice(2, 8)}`,
    enterprise: own ? 'shilian' : 'fuqiang',
    name: '罐区',
    level: 3,
  }),
  'PATCH /api/v1/registry/hazard-sources/:id': () => ({ level: 2 }),
  'DELETE /api/v1/registry/hazard-sources/:id': () => ({}),
  'POST /api/v1/registry/areas': (own) => ({
    id: `a${Math.random().toString(36).slice(2, 8)}`,
    enterprise: own ? 'shilian' : 'fuqiang',
    name: '装置区',
  }),
  'PATCH /api/v1/registry/areas/:id': () => ({ kind: 'reactor' }),
  'DELETE /api/v1/registry/areas/:id': () => ({}),
  'POST /api/v1/registry/points/import': () => ({}),
  'PATCH /api/v1/registry/points/:id': () => ({}),
  'DELETE /api/v1/registry/points/:id': () => ({}),
  'POST /api/v1/registry/edges': (own) => ({
    id: `g${Math.random().toString(36).slice(2, 8)}`,
    site: 'huaian',
    enterprise: own ? 'shilian' : 'fuqiang',
  }),
  'PATCH /api/v1/registry/edges/:id': () => ({ claim: 'strict' }),
  'DELETE /api/v1/registry/edges/:id': () => ({}),
  'PUT /api/v1/registry/points/:id/edge': () => ({ edge: 'shilian-01' }),
  'PUT /api/v1/registry/cameras/:id/edge': () => ({ edge: 'shilian-01' }),
}

/** What `:id` means under each resource: shilian's row (own) or fuqiang's (foreign). */
function pathFor(path: string, own: boolean): string {
  if (!path.includes(':id')) return path
  // Registry entries: deleting a fixture would change what later routes see, so DELETE names none.
  if (path.startsWith('/api/v1/registry/')) {
    const kind = path.split('/')[4]!
    const fixture =
      kind === 'points'
        ? own
          ? LEVEL
          : PRESSURE
        : kind === 'enterprises'
          ? own
            ? 'shilian'
            : 'fuqiang'
          : `${own ? 'shilian' : 'fuqiang'}-${kind}`
    return path.replace(':id', fixture)
  }
  const id = path.startsWith('/api/v1/points/')
    ? own
      ? LEVEL
      : PRESSURE
    : path.startsWith('/api/v1/alarms/')
      ? own
        ? ids.ownAlarm
        : ids.foreignAlarm
      : path.startsWith('/api/v1/maintenance-windows/')
        ? own
          ? ids.ownWindow
          : ids.foreignWindow
        : path.startsWith('/api/v1/gas-warnings/')
          ? own
            ? ids.ownGasWarning
            : ids.foreignGasWarning
          : path.startsWith('/api/v1/users/')
            ? ids.user
            : path.startsWith('/api/v1/api-keys/')
              ? ids.key
              : path.startsWith('/api/v1/snapshots/')
                ? own
                  ? ids.ownSnapshot
                  : ids.foreignSnapshot
                : path.startsWith('/api/v1/cameras/')
                  ? own
                    ? 'shilian-cam'
                    : 'fuqiang-cam'
                  : path.startsWith('/api/v1/edges/')
                    ? 'shilian-01' // the park's view: edges are not scoped by enterprise
                    : path.startsWith('/api/v1/reports/')
                      ? 1 // the park's documents: not scoped by enterprise
                      : null
  if (id === null) throw new Error(`the inventory does not know what :id means in ${path}: add it to pathFor`)
  return path.replace(':id', String(id)).replace(':format', 'pdf')
}

async function call(
  method: string,
  path: string,
  credential: string | null,
  body?: unknown,
): Promise<{ status: number; text: string }> {
  const headers: Record<string, string> = { 'content-type': 'application/json' }
  if (credential) headers.authorization = `Bearer ${credential}`
  const res = await app.request(path, {
    method,
    headers,
    ...(method === 'GET' ? {} : { body: JSON.stringify(body ?? {}) }),
  })
  // The live stream never ends by itself: what matters here is its status.
  if (res.headers.get('content-type')?.includes('text/event-stream')) {
    await res.body?.cancel()
    return { status: res.status, text: '' }
  }
  return { status: res.status, text: await res.text() }
}

/** Everything of fuqiang the store holds: the foreign rows must be the same after a refused request. */
const foreignRows = async () =>
  JSON.stringify([
    await env.store.listAlarms({ scope: { enterprise: 'fuqiang' }, state: 'all', limit: 100 }),
    await Promise.all(
      (await env.store.listAlarms({ scope: { enterprise: 'fuqiang' }, state: 'all', limit: 100 })).map((a) =>
        env.store.alarmTimeline(a.id, 'all'),
      ),
    ),
    await env.store.listWindows({ scope: { enterprise: 'fuqiang' } }),
    await env.store.listGasWarnings({ scope: { enterprise: 'fuqiang' }, limit: 100 }),
  ])

const routes = () => {
  const built = createApp({
    store: env.store,
    clock,
    metrics: createMetrics(T0),
    log: captureLogger().log,
    ...testAuth(env.store, clock),
  })
  // A declared route (@hono/zod-openapi) registers its validators under the same method and path: walk each once.
  const seen = new Set<string>()
  return built.routes
    .filter(
      (r) =>
        r.method !== 'ALL' &&
        r.path.startsWith('/api/') &&
        !seen.has(`${r.method} ${r.path}`) &&
        seen.add(`${r.method} ${r.path}`),
    )
    .map((r) => ({ method: r.method, path: r.path }))
}
/** Outside /api: only the dashboard's static files (cloud/api/dashboard.ts), which hold no data. */
// 'ALL /*' is the service-wide security headers middleware (cloud/api/headers.ts): it serves nothing.
const DASHBOARD_ROUTES = ['GET /', 'GET /wall', 'GET /favicon.ico', 'ALL /assets/*', 'ALL /*']

beforeAll(async () => {
  env = await tempStore()
  clock.set(T0)
  const auth = testAuth(env.store, clock)
  app = createApp({
    store: env.store,
    clock,
    metrics: createMetrics(T0),
    log: captureLogger().log,
    alarmFeed: createAlarmFeed(),
    liveTokens: async (camera, subject, now) =>
      await signViewerToken(liveKey.privateKey, { camera, subject, issuer: 'parklink-cloud', now }),
    ...auth,
  })
  for (const role of ROLES)
    keys.set(role, await testKey(auth.accounts, role, isEnterpriseRole(role) ? 'shilian' : undefined))
  await env.store.ingestBatch(batch(1, [good(LEVEL, T0, 11), good(PRESSURE, T0, 1.2)]), {
    site: 'huaian',
    receivedAt: T0,
  })
  const alarmOf = async (enterprise: string) =>
    (await env.store.listAlarms({ scope: { enterprise }, state: 'all', limit: 10 }))[0]!.id
  ids.ownAlarm = await alarmOf('shilian')
  ids.foreignAlarm = await alarmOf('fuqiang')
  const windowOf = async (enterprise: string, point: string) => {
    const r = await env.store.requestWindow(
      { enterprise, points: [point], from: T0, to: T0 + HOUR, reason: 'r', by: 'fixture' },
      T0,
      'all',
    )
    if (!r.ok) throw new Error(r.message)
    return r.window.id
  }
  ids.ownWindow = await windowOf('shilian', LEVEL)
  ids.foreignWindow = await windowOf('fuqiang', PRESSURE)
  const gasWarningOf = async (enterprise: string) =>
    (
      await env.store.insertGasWarning({
        area: `${enterprise}-gas-area`,
        enterprise,
        publicArea: false,
        colour: 'orange',
        state: 'open',
        openedAt: T0,
        colourSince: T0,
        reasons: ['spread 3'],
        active: [],
        acknowledgedAt: null,
        acknowledgedBy: null,
        noticeDueAt: T0 + 86_400_000,
        noticeSentAt: null,
        report: null,
        clearedAt: null,
        clearedBy: null,
        history: [{ at: T0, action: 'opened', colour: 'orange' }],
      })
    ).id
  ids.ownGasWarning = await gasWarningOf('shilian')
  ids.foreignGasWarning = await gasWarningOf('fuqiang')
  // A camera of each enterprise with an intrusion alarm and its picture, for the camera routes.
  const jpeg = readFileSync(SNAPSHOT_FIXTURE)
  const camera = async (enterprise: string, edge: string, seq: number) => {
    const info = { name: `${enterprise} gate`, area: `${enterprise}-gate`, enterprise, host: '10.20.1.64', port: 80 }
    await env.store.recordBirth(
      'huaian',
      birth(`s-${edge}`, {
        edge,
        points: [{ id: `${enterprise}-cam.online`, device: `${enterprise}-cam`, camera: info }],
      }),
      T0,
    )
    const snapshot = {
      id: randomUUID(),
      ts: T0,
      contentType: 'image/jpeg' as const,
      bytes: jpeg.length,
      sha256: createHash('sha256').update(jpeg).digest('hex'),
      data: jpeg.toString('base64'),
    }
    const event: CameraEvent = {
      id: randomUUID(),
      camera: `${enterprise}-cam`,
      ts: T0,
      type: 'raise',
      topic: 'tns1:RuleEngine/FieldDetector/ObjectsInside',
      kind: 'intrusion',
      code: 'RYRQ',
      priority: 'A',
      snapshot,
    }
    await env.store.ingestBatch(
      { ...batch(seq, [good(`${enterprise}-cam.online`, T0, true)], { edge }), events: [event] },
      { site: 'huaian', receivedAt: T0 },
    )
    return snapshot.id
  }
  ids.ownSnapshot = await camera('shilian', 'shilian-cam-edge', 1)
  ids.foreignSnapshot = await camera('fuqiang', 'fuqiang-cam-edge', 1)
  for (const enterprise of ['shilian', 'fuqiang']) {
    await env.store.registry.create('hazardSources', {
      id: `${enterprise}-hazard-sources`,
      enterprise,
      name: `${enterprise} 液氨罐区`,
      level: 2,
    })
    await env.store.registry.create('areas', {
      id: `${enterprise}-areas`,
      enterprise,
      name: `${enterprise} 罐区`,
      kind: 'tank farm',
    })
  }
  ids.user = (
    await auth.accounts.createUser(
      { username: 'fixture-user', role: 'park_operator', password: 'Zhong-an-2025' },
      'fixture',
      T0,
    )
  ).id
  ids.key = (await auth.accounts.createApiKey({ name: 'fixture-key', role: 'auditor' }, 'fixture', T0)).record.id
})
afterAll(async () => env.dispose())

describe('route inventory', () => {
  it('every registered route has an entry in the access table, and every entry is a route', () => {
    const registered = routes().map((r) => `${r.method} ${r.path}`)
    expect(
      registered.filter((r) => !(r in ROUTE_ACCESS)),
      'routes without an access entry (add them to cloud/auth/permissions.ts)',
    ).toEqual([])
    expect(
      Object.keys(ROUTE_ACCESS).filter((r) => !registered.includes(r)),
      'access entries for routes that do not exist',
    ).toEqual([])
    expect(registered.length).toBeGreaterThanOrEqual(40)
  })

  it("outside the API there is nothing but the dashboard's static files", () => {
    const built = createApp({
      store: env.store,
      clock,
      metrics: createMetrics(T0),
      log: captureLogger().log,
      ...testAuth(env.store, clock),
    })
    const outside = [
      ...new Set(built.routes.filter((r) => !r.path.startsWith('/api/')).map((r) => `${r.method} ${r.path}`)),
    ]
    expect(
      outside.filter((r) => !DASHBOARD_ROUTES.includes(r)),
      'a route outside /api/v1 is not behind the access table',
    ).toEqual([])
  })

  it("public routes are exactly health, the API's description and the ones that establish an identity", () => {
    expect(
      Object.entries(ROUTE_ACCESS)
        .filter(([, a]) => a === 'public')
        .map(([r]) => r)
        .sort(),
    ).toEqual([
      // The OpenAPI document and its page describe routes and schemas; they hold no data.
      'GET /api/v1/docs',
      'GET /api/v1/health',
      'GET /api/v1/openapi.json',
      'POST /api/v1/auth/login',
      'POST /api/v1/auth/password',
      'POST /api/v1/auth/refresh',
    ])
  })

  it('system, security and audit administration are separate: no role holds two of them', () => {
    for (const role of ROLES) {
      const holds = (['windows:decide', 'users:manage', 'audit:read'] as const).filter((p) =>
        (PERMISSIONS[p] as readonly Role[]).includes(role),
      )
      expect(holds.length, `${role} holds ${holds.join(', ')}`).toBeLessThanOrEqual(1)
    }
    expect(PERMISSIONS['audit:read']).toEqual(['auditor'])
  })

  it('HEAD (answered by the GET handler) and OPTIONS are under the same control', async () => {
    for (const r of routes()) {
      if (r.method !== 'GET' || accessOf(r.method, r.path) === 'public') continue
      const head = await app.request(pathFor(r.path, true), { method: 'HEAD' })
      expect(head.status, `HEAD ${r.path}`).toBe(401)
      const options = await app.request(pathFor(r.path, true), { method: 'OPTIONS' })
      expect([401, 404], `OPTIONS ${r.path}`).toContain(options.status)
    }
  })

  it('each route refuses no credentials and a forged token with 401', async () => {
    const forged = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIiwic2lkIjoxfQ.c2lnbmF0dXJl'
    for (const r of routes()) {
      if (accessOf(r.method, r.path) === 'public') continue
      for (const credential of [null, forged, 'plk_revoked-or-unknown-key-000000000000000000000']) {
        const { status, text } = await call(
          r.method,
          pathFor(r.path, true),
          credential,
          EXAMPLES[`${r.method} ${r.path}`]?.(true),
        )
        expect(status, `${r.method} ${r.path} with ${credential ?? 'no credentials'}: ${text}`).toBe(401)
      }
    }
  })

  it('each route refuses every role without its permission (403) and serves every role with it', async () => {
    for (const r of routes()) {
      const access = accessOf(r.method, r.path)!
      if (access === 'public') continue
      for (const role of ROLES) {
        const allowed = access === 'authenticated' || (PERMISSIONS[access] as readonly Role[]).includes(role)
        const { status, text } = await call(
          r.method,
          pathFor(r.path, true),
          keys.get(role)!,
          EXAMPLES[`${r.method} ${r.path}`]?.(true),
        )
        if (allowed) expect([401, 403], `${role} on ${r.method} ${r.path}: ${status} ${text}`).not.toContain(status)
        else expect(status, `${role} on ${r.method} ${r.path}: ${text}`).toBe(403)
      }
    }
  })

  it("an enterprise identity gets 403/404 for another enterprise's rows, sees nothing of them, changes nothing", async () => {
    let checked = 0
    for (const r of routes()) {
      const access = accessOf(r.method, r.path)!
      if (access === 'public' || access === 'authenticated') continue
      for (const role of (PERMISSIONS[access] as readonly Role[]).filter(isEnterpriseRole)) {
        const example = EXAMPLES[`${r.method} ${r.path}`]
        if (r.method !== 'GET' && !example)
          throw new Error(`no example body for ${r.method} ${r.path}: add one to EXAMPLES`)
        const before = await foreignRows()
        const foreign = await call(r.method, pathFor(r.path, false), keys.get(role)!, example?.(false))
        const what = `${role} (shilian) on ${r.method} ${pathFor(r.path, false)}: ${foreign.status} ${foreign.text}`
        if (r.path.includes(':id')) expect([403, 404], what).toContain(foreign.status)
        // The id the caller sent may be echoed ("no point X"); anything else of fuqiang may not appear.
        expect(foreign.text.replaceAll(PRESSURE, ''), what).not.toMatch(/fuqiang|富强|V-201/)
        expect(await foreignRows(), what).toBe(before)
        if (r.method === 'GET' && !r.path.includes(':id')) {
          // Naming the other enterprise in a list's filter is refused outright (or not a filter of that route).
          const named = await call('GET', `${r.path}?enterprise=fuqiang`, keys.get(role)!)
          expect([400, 403], `${role} on ${r.path}?enterprise=fuqiang: ${named.status} ${named.text}`).toContain(
            named.status,
          )
        }
        checked++
      }
    }
    expect(checked).toBeGreaterThanOrEqual(20)
  })

  it('a live-view token is issued for a camera the identity sees, names that camera and no other, and expires in 60 s', async () => {
    const res = await call('POST', '/api/v1/cameras/shilian-cam/live-token', keys.get('enterprise_user')!)
    expect(res.status, res.text).toBe(200)
    const body = JSON.parse(res.text) as {
      camera: string
      edge: string
      token: string
      expiresAt: number
      path: string
    }
    expect(body).toMatchObject({
      camera: 'shilian-cam',
      edge: 'shilian-cam-edge',
      expiresAt: T0 + 60_000,
      path: `/live/shilian-cam?token=${body.token}`,
    })
    expect(await verifyViewerToken(body.token, 'shilian-cam', [liveKey.publicKey], T0 + 59_000)).toMatchObject({
      ok: true,
    })
    expect(await verifyViewerToken(body.token, 'fuqiang-cam', [liveKey.publicKey], T0)).toEqual({
      ok: false,
      reason: 'token_camera',
    })
    expect(await verifyViewerToken(body.token, 'shilian-cam', [liveKey.publicKey], T0 + 61_000)).toEqual({
      ok: false,
      reason: 'token_expired',
    })
    // Another enterprise's camera is unknown to it.
    expect((await call('POST', '/api/v1/cameras/fuqiang-cam/live-token', keys.get('enterprise_user')!)).status).toBe(
      404,
    )
  })
})
