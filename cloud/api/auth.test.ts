import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import type { Hono } from 'hono'
import {
  T0,
  captureLogger,
  manualClock,
  tempStore,
  testAuth,
  testKey,
  TEST_PASSWORD,
} from '../../test/cloud/helpers.ts'
import { withRawDb } from '../../test/util/raw-db.ts'
import { steppedClock } from '../../test/util/stepped-clock.ts'
import { defaultAuthConfig } from '../auth/config.ts'
import { createAlarmFeed } from '../alarms/feed.ts'
import { createMetrics } from '../metrics.ts'
import { MAX_BODY_BYTES, createApp } from './app.ts'

const MIN = 60_000
const clock = manualClock()
let env: Awaited<ReturnType<typeof tempStore>>
let app: Hono
let t: ReturnType<typeof testAuth>
let auditorKey: string

async function call(method: 'GET' | 'POST', path: string, body?: unknown, credential?: string) {
  const headers: Record<string, string> = { 'content-type': 'application/json' }
  if (credential) headers.authorization = `Bearer ${credential}`
  const res = await app.request(path, {
    method,
    headers,
    ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
  })
  return { status: res.status, body: (await res.json()) as any }
}
const login = (username: string, password: string) => call('POST', '/api/v1/auth/login', { username, password })
const audit = async (query = '') => (await call('GET', `/api/v1/audit${query}`, undefined, auditorKey)).body as any[]

beforeEach(async () => {
  env = await tempStore()
  clock.set(T0)
  t = testAuth(env.store, clock, {
    ...defaultAuthConfig,
    password: { ...defaultAuthConfig.password, lockoutAfter: 3, lockoutMinutes: 10, maxAgeDays: 30 },
  })
  app = createApp({ store: env.store, clock, metrics: createMetrics(T0), log: captureLogger().log, ...t })
  await t.accounts.createUser(
    { username: 'center-li', displayName: '李值班', role: 'park_operator', password: TEST_PASSWORD },
    'bootstrap',
    T0,
  )
  auditorKey = await testKey(t.accounts, 'auditor')
})
afterEach(async () => env.dispose())

describe('sessions', () => {
  it('login → access token works → refresh rotates (the old refresh token is dead) → logout ends it', async () => {
    const first = await login('center-li', TEST_PASSWORD)
    expect(first.status).toBe(200)
    expect(first.body).toMatchObject({
      tokenType: 'Bearer',
      expiresIn: 900,
      user: { username: 'center-li', role: 'park_operator', enterprise: null, passwordExpiresAt: T0 + 30 * 86_400_000 },
    })
    expect(first.body.refreshToken).toMatch(/^plr_/)
    expect((await call('GET', '/api/v1/auth/me', undefined, first.body.accessToken)).body).toEqual({
      kind: 'user',
      actor: 'center-li',
      role: 'park_operator',
      enterprise: null,
    })

    const second = await call('POST', '/api/v1/auth/refresh', { refreshToken: first.body.refreshToken })
    expect(second.status).toBe(200)
    expect(second.body.refreshToken).not.toBe(first.body.refreshToken)
    expect((await call('GET', '/api/v1/alarms', undefined, second.body.accessToken)).status).toBe(200)
    // The access token of the replaced session is over too.
    expect((await call('GET', '/api/v1/alarms', undefined, first.body.accessToken)).status).toBe(401)

    expect((await call('POST', '/api/v1/auth/logout', {}, second.body.accessToken)).body).toEqual({ loggedOut: true })
    expect((await call('GET', '/api/v1/alarms', undefined, second.body.accessToken)).status).toBe(401)
    expect((await call('POST', '/api/v1/auth/refresh', { refreshToken: second.body.refreshToken })).status).toBe(401)
    expect((await audit()).map((e) => e.action).reverse()).toEqual(['user_create', 'key_create', 'login', 'logout'])
  })

  it('a live alarm stream ends at its next keep-alive once the session is over (fake time)', async () => {
    // The keep-alive waits on the app's injected clock: fake time there, real timers for the store (test/util/stepped-clock.ts).
    const timed = steppedClock(T0)
    const keepAliveArmed = () => vi.waitFor(() => expect(timed.pending()).toBe(1), { timeout: 10_000, interval: 2 })
    app = createApp({
      store: env.store,
      clock: timed,
      metrics: createMetrics(T0),
      log: captureLogger().log,
      alarmFeed: createAlarmFeed(),
      ...t,
    })
    const s = (await login('center-li', TEST_PASSWORD)).body
    const res = await app.request('/api/v1/alarms/stream', { headers: { authorization: `Bearer ${s.accessToken}` } })
    const reader = res.body!.getReader()
    expect(new TextDecoder().decode((await reader.read()).value)).toMatch(/event: ready/)
    await keepAliveArmed()
    await timed.advance(15_000)
    expect(new TextDecoder().decode((await reader.read()).value)).toMatch(/keep-alive/) // still logged in
    await call('POST', '/api/v1/auth/logout', {}, s.accessToken)
    await keepAliveArmed()
    await timed.advance(15_000)
    expect((await reader.read()).done).toBe(true)
  })

  it('a refresh token used twice (stolen?) ends every session of the user, audited', async () => {
    const a = (await login('center-li', TEST_PASSWORD)).body
    const b = (await login('center-li', TEST_PASSWORD)).body // another browser
    await call('POST', '/api/v1/auth/refresh', { refreshToken: a.refreshToken })
    expect((await call('POST', '/api/v1/auth/refresh', { refreshToken: a.refreshToken })).status).toBe(401)
    expect((await call('GET', '/api/v1/alarms', undefined, b.accessToken)).status).toBe(401)
    expect((await audit('?action=refresh_reuse'))[0]).toMatchObject({
      actor: 'center-li',
      outcome: 'refused',
      detail: { ended: 2 },
    })
  })

  it('access tokens are short-lived; refresh tokens expire', async () => {
    const s = (await login('center-li', TEST_PASSWORD)).body
    clock.advance(15 * MIN + 1_000)
    expect((await call('GET', '/api/v1/alarms', undefined, s.accessToken)).status).toBe(401)
    clock.advance(12 * 60 * MIN)
    expect((await call('POST', '/api/v1/auth/refresh', { refreshToken: s.refreshToken })).status).toBe(401)
  })

  it('API keys: Bearer, revocable, stored hashed', async () => {
    const admin = await testKey(t.accounts, 'security_admin')
    const created = await call('POST', '/api/v1/api-keys', { name: 'province-exchange', role: 'park_operator' }, admin)
    expect(created).toMatchObject({
      status: 201,
      body: { name: 'province-exchange', role: 'park_operator', key: expect.stringMatching(/^plk_[\w-]{43}$/) },
    })
    const key = created.body.key as string
    expect((await call('GET', '/api/v1/points', undefined, key)).status).toBe(200)
    expect(
      (await call('GET', '/api/v1/api-keys', undefined, admin)).body.find((k: any) => k.name === 'province-exchange'),
    ).toMatchObject({ prefix: key.slice(0, 8), revokedAt: null, lastUsedAt: T0 })
    expect((await call('POST', `/api/v1/api-keys/${created.body.id}/revoke`, {}, admin)).body.revokedAt).toBe(T0)
    expect((await call('GET', '/api/v1/points', undefined, key)).status).toBe(401)
    await withRawDb(env, async (db) => {
      expect(await db.query('SELECT * FROM api_keys')).not.toHaveLength(0)
      expect(JSON.stringify(await db.query('SELECT * FROM api_keys'))).not.toContain(key)
      expect(JSON.stringify(await db.query('SELECT * FROM audit_log'))).not.toContain(key)
    })
  })
})

describe('passwords and lockout', () => {
  it('N failures lock the account for M minutes, even for the right password; each step audited', async () => {
    for (let i = 0; i < 3; i++)
      expect(await login('center-li', 'Wrong-pass-123')).toMatchObject({
        status: 401,
        body: { error: { code: 'PL_UNAUTHENTICATED', message: 'wrong user name or password' } },
      })
    // Locked: the same answer as an unknown name or a wrong password (no way to tell them apart).
    const locked = await login('center-li', TEST_PASSWORD)
    expect(locked).toEqual(await login('nobody', TEST_PASSWORD))
    expect(locked).toMatchObject({
      status: 401,
      body: { error: { code: 'PL_UNAUTHENTICATED', hint: expect.stringMatching(/security administrator/) } },
    })
    clock.advance(10 * MIN)
    expect((await login('center-li', TEST_PASSWORD)).status).toBe(200)
    const entries = (await audit()).reverse().filter((e) => e.action !== 'user_create' && e.action !== 'key_create')
    expect(entries.map((e) => [e.action, e.actor, e.outcome, e.detail?.reason ?? null])).toEqual([
      ['login_failed', 'center-li', 'refused', 'wrong password'],
      ['login_failed', 'center-li', 'refused', 'wrong password'],
      ['login_failed', 'center-li', 'refused', 'wrong password'],
      ['lockout', 'system', 'ok', null],
      ['login_failed', 'center-li', 'refused', 'locked'],
      ['login_failed', 'nobody', 'refused', 'unknown user'],
      ['login', 'center-li', 'ok', null],
    ])
    expect(entries[3]).toMatchObject({
      target: `user:1`,
      detail: { username: 'center-li', failures: 3, until: T0 + 10 * MIN },
    })
  })

  it('an unknown user gets the same answer as a wrong password, and is audited', async () => {
    const r = await login('nobody', TEST_PASSWORD)
    expect(r).toMatchObject({ status: 401, body: { error: { message: 'wrong user name or password' } } })
    expect((await audit('?actor=nobody'))[0]).toMatchObject({
      action: 'login_failed',
      detail: { reason: 'unknown user' },
    })
  })

  it('an expired password refuses login until it is changed (policy checked); the change ends old sessions', async () => {
    const old = (await login('center-li', TEST_PASSWORD)).body
    clock.advance(30 * 86_400_000)
    expect(await login('center-li', TEST_PASSWORD)).toMatchObject({
      status: 403,
      body: { error: { code: 'PL_PASSWORD_EXPIRED', hint: expect.stringMatching(/auth\/password/) } },
    })
    const weak = await call('POST', '/api/v1/auth/password', {
      username: 'center-li',
      password: TEST_PASSWORD,
      newPassword: 'short',
    })
    expect(weak).toMatchObject({
      status: 400,
      body: { error: { message: expect.stringMatching(/at least 10 characters.*3 of 4 classes/) } },
    })
    expect(
      (
        await call('POST', '/api/v1/auth/password', {
          username: 'center-li',
          password: TEST_PASSWORD,
          newPassword: 'Huaian-park-77',
        })
      ).status,
    ).toBe(200)
    expect((await call('POST', '/api/v1/auth/refresh', { refreshToken: old.refreshToken })).status).toBe(401)
    expect((await login('center-li', 'Huaian-park-77')).status).toBe(200)
  })

  it('a security administrator creates users under the policy, unlocks and disables them', async () => {
    const admin = await testKey(t.accounts, 'security_admin')
    expect(
      await call(
        'POST',
        '/api/v1/users',
        { username: 'fq-zhang', role: 'enterprise_user', password: 'abcdefghij' },
        admin,
      ),
    ).toMatchObject({
      status: 400,
      body: { error: { message: expect.stringMatching(/enterprise: enterprise roles need an enterprise/) } },
    })
    expect(
      await call(
        'POST',
        '/api/v1/users',
        { username: 'fq-zhang', role: 'enterprise_user', enterprise: 'fuqiang', password: 'abcdefghij' },
        admin,
      ),
    ).toMatchObject({ status: 400, body: { error: { message: expect.stringMatching(/3 of 4 classes/) } } })
    expect(
      await call(
        'POST',
        '/api/v1/users',
        { username: 'fq-zhang', role: 'enterprise_user', enterprise: 'nosuch', password: 'Fuqiang-2025' },
        admin,
      ),
    ).toMatchObject({ status: 400, body: { error: { message: 'unknown enterprise "nosuch"' } } })
    const created = await call(
      'POST',
      '/api/v1/users',
      { username: 'fq-zhang', role: 'enterprise_user', enterprise: 'fuqiang', password: 'Fuqiang-2025' },
      admin,
    )
    expect(created).toMatchObject({
      status: 201,
      body: { username: 'fq-zhang', enterprise: 'fuqiang', disabled: false },
    })
    expect(created.body.passwordHash).toBeUndefined()
    const session = (await login('fq-zhang', 'Fuqiang-2025')).body
    await call('POST', `/api/v1/users/${created.body.id}/disable`, {}, admin)
    expect((await call('GET', '/api/v1/points', undefined, session.accessToken)).status).toBe(401)
    expect((await login('fq-zhang', 'Fuqiang-2025')).status).toBe(401)
    const change = (await audit('?action=user_disable'))[0]
    expect(change).toMatchObject({
      actor: 'key:test-security_admin-park',
      before: { disabled: false },
      after: { disabled: true },
    })
    expect(JSON.stringify(await audit())).not.toMatch(/Fuqiang-2025|scrypt\$/)
  })
})

describe('bad input', () => {
  it('an invalid body is 400 with the field path; an oversized one is 413', async () => {
    const key = await testKey(t.accounts, 'park_admin')
    const invalid = await call(
      'POST',
      '/api/v1/maintenance-windows',
      { enterprise: 'shilian', points: ['ok', 42], from: T0, to: T0 + MIN, reason: 'r' },
      key,
    )
    expect(invalid).toMatchObject({
      status: 400,
      body: { error: { code: 'PL_BAD_REQUEST', message: expect.stringContaining('points.1:') } },
    })
    const huge = await call(
      'POST',
      '/api/v1/alarms/close',
      JSON.stringify({ ids: [1], note: 'x'.repeat(MAX_BODY_BYTES) }),
      key,
    )
    expect(huge).toMatchObject({ status: 413, body: { error: { code: 'PL_PAYLOAD_TOO_LARGE' } } })
    // The size is checked before anything else: with or without credentials, nobody makes the service read a large body.
    expect(
      (await call('POST', '/api/v1/alarms/close', JSON.stringify({ ids: [1], note: 'x'.repeat(MAX_BODY_BYTES) })))
        .status,
    ).toBe(413)
  })
})

describe('the audit log', () => {
  it('records every mutation with actor, target, before and after; filters by actor, action and time', async () => {
    const admin = await testKey(t.accounts, 'park_admin', undefined, 'park-admin-key')
    const requested = await call(
      'POST',
      '/api/v1/maintenance-windows',
      { enterprise: 'shilian', points: ['shilian.tk101.level'], from: T0, to: T0 + 60 * MIN, reason: '检修' },
      admin,
    )
    clock.advance(MIN)
    await call('POST', `/api/v1/maintenance-windows/${requested.body.id}/approve`, { note: '同意' }, admin)
    const entries = await audit(`?actor=key:park-admin-key&from=${T0 + 1}`)
    expect(entries).toEqual([
      expect.objectContaining({
        at: T0 + MIN,
        action: 'POST /api/v1/maintenance-windows/:id/approve',
        target: `window:${requested.body.id}`,
        outcome: 'ok',
        before: expect.objectContaining({ status: 'requested' }),
        after: expect.objectContaining({ status: 'approved', decidedBy: 'key:park-admin-key' }),
      }),
    ])
    expect((await audit('?action=POST /api/v1/maintenance-windows')).length).toBe(1)
    expect((await call('GET', '/api/v1/audit?actor=x', undefined, admin)).status).toBe(403) // the park admin does not read the audit log
    expect((await audit('?action=access_denied'))[0]).toMatchObject({
      actor: 'key:park-admin-key',
      target: '/api/v1/audit',
      outcome: 'refused',
      detail: { role: 'park_admin', needs: 'audit:read' },
    })
  })

  it('is append-only: the database refuses UPDATE and DELETE', async () => {
    await login('center-li', TEST_PASSWORD)
    await withRawDb(env, async (db) => {
      await expect(db.query("UPDATE audit_log SET actor = 'someone'")).rejects.toThrow(/append-only/)
      await expect(db.query('DELETE FROM audit_log')).rejects.toThrow(/append-only/)
      expect(Number((await db.query('SELECT COUNT(*) AS n FROM audit_log'))[0]!.n)).toBe(3)
    })
  })
})
