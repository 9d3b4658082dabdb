import type { AddressInfo } from 'node:net'
import type { Server } from 'node:http'
import { createAdaptorServer } from '@hono/node-server'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { Hono } from 'hono'
import {
  T0,
  TEST_PASSWORD,
  captureLogger,
  manualClock,
  tempStore,
  testAuth,
  testKey,
} from '../../test/cloud/helpers.ts'
import { defaultAuthConfig, type AuthConfig } from '../auth/config.ts'
import { createLoginThrottle, defaultLoginThrottle, type LoginThrottleConfig } from '../auth/throttle.ts'
import { createMetrics } from '../metrics.ts'
import { createApp } from './app.ts'

/**
 * Issue 13, HTTP: logins are throttled per source address and in all (429 + Retry-After) before
 * any hash runs, counted without lost updates; the account lockout stays behind it; a locked and
 * an unknown name answer alike; the audit log holds the socket's address, not a forged header.
 */
const clock = manualClock()
let env: Awaited<ReturnType<typeof tempStore>>
let metrics: ReturnType<typeof createMetrics>
let t: ReturnType<typeof testAuth>
let app: Hono

function build(opts: { throttle?: LoginThrottleConfig; auth?: AuthConfig; trustedProxies?: string[] } = {}) {
  metrics = createMetrics(T0)
  t = testAuth(env.store, clock, opts.auth ?? defaultAuthConfig, {
    throttle: createLoginThrottle(opts.throttle ?? defaultLoginThrottle, clock),
    metrics,
  })
  app = createApp({
    store: env.store,
    clock,
    metrics,
    log: captureLogger().log,
    ...t,
    http: { trustedProxies: opts.trustedProxies ?? [], streams: { perIdentity: 50, total: 1_000, queue: 500 } },
  })
}

/** A login as if from `address` (the Node request's socket, as @hono/node-server hands it in). */
async function login(username: string, password: string, address = '10.0.0.1') {
  const res = await app.request(
    '/api/v1/auth/login',
    { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password }) },
    { incoming: { socket: { remoteAddress: address } } },
  )
  return { status: res.status, retryAfter: res.headers.get('retry-after'), body: (await res.json()) as any }
}

const failedLogins = async () => (await env.store.auth.findUser('center-li'))!.failedLogins

beforeEach(async () => {
  env = await tempStore()
  clock.set(T0)
  build()
  await t.accounts.createUser(
    { username: 'center-li', role: 'park_operator', password: TEST_PASSWORD },
    'bootstrap',
    T0,
  )
})
afterEach(async () => env.dispose())

describe('login throttling', () => {
  it('40 parallel wrong logins from one address: all but the free ones get 429 with Retry-After; the right password waits too', async () => {
    const answers = await Promise.all(Array.from({ length: 40 }, () => login('center-li', 'Wrong-pass-123')))
    const wrong = answers.filter((a) => a.status === 401)
    const throttled = answers.filter((a) => a.status === 429)
    // The allowance (5) and the one that starts the wait reach the password check; no attempt slips past the count.
    expect(wrong.length).toBe(defaultLoginThrottle.perAddress.freeFailures + 1)
    expect(throttled.length).toBe(40 - wrong.length)
    for (const a of throttled) {
      expect(a.body.error).toMatchObject({ code: 'PL_TOO_MANY_REQUESTS', hint: expect.stringMatching(/wait/) })
      expect(Number(a.retryAfter)).toBe(defaultLoginThrottle.perAddress.baseDelayS)
    }
    expect(await failedLogins()).toBe(wrong.length)
    expect(metrics.http.refused.login_throttled_address).toBe(throttled.length)
    // Within the window the right password is refused as well, before it is checked.
    expect((await login('center-li', TEST_PASSWORD)).status).toBe(429)
    clock.advance(defaultLoginThrottle.perAddress.baseDelayS * 1000)
    expect((await login('center-li', TEST_PASSWORD)).status).toBe(200)
    expect(await failedLogins()).toBe(0)
  })

  it('40 parallel wrong logins from 40 addresses: every one counted on the account (no lost update), and the lockout holds', async () => {
    build({ auth: { ...defaultAuthConfig, password: { ...defaultAuthConfig.password, lockoutAfter: 100 } } })
    const answers = await Promise.all(
      Array.from({ length: 40 }, (_, i) => login('center-li', 'Wrong-pass-123', `10.1.0.${i}`)),
    )
    expect(answers.every((a) => a.status === 401)).toBe(true)
    expect(await failedLogins()).toBe(40)

    // The default lockout (10): the second line, for guesses spread over addresses.
    build()
    await env.store.auth.updateUser(1, { failedLogins: 0 })
    await Promise.all(Array.from({ length: 40 }, (_, i) => login('center-li', 'Wrong-pass-123', `10.2.0.${i}`)))
    const user = (await env.store.auth.findUser('center-li'))!
    expect(user.lockedUntil).toBe(T0 + defaultAuthConfig.password.lockoutMinutes * 60_000)
    expect((await login('center-li', TEST_PASSWORD, '10.3.0.1')).status).toBe(401) // right password, fresh address: still locked
    const audit = (await env.store.auth.queryAudit({ actor: 'center-li', action: 'login_failed', limit: 200 })).filter(
      (e) => String(e.detail?.address).startsWith('10.2.'),
    )
    expect(audit.filter((e) => e.detail?.reason === 'wrong password').length).toBe(
      defaultAuthConfig.password.lockoutAfter,
    )
    expect(audit.filter((e) => e.detail?.reason === 'locked').length).toBe(40 - defaultAuthConfig.password.lockoutAfter)
    clock.advance(defaultAuthConfig.password.lockoutMinutes * 60_000)
    expect((await login('center-li', TEST_PASSWORD, '10.3.0.1')).status).toBe(200)
  })

  it('a locked name and an unknown name get the same answer (status, code, message, hint)', async () => {
    build({ auth: { ...defaultAuthConfig, password: { ...defaultAuthConfig.password, lockoutAfter: 2 } } })
    await login('center-li', 'Wrong-pass-123')
    await login('center-li', 'Wrong-pass-123')
    const locked = await login('center-li', TEST_PASSWORD)
    const unknown = await login('no-such-user', TEST_PASSWORD)
    expect(locked).toEqual(unknown)
    expect(locked).toMatchObject({
      status: 401,
      retryAfter: null,
      body: { error: { code: 'PL_UNAUTHENTICATED', message: 'wrong user name or password' } },
    })
  })

  it('the global throttle holds back every address once failures from all pass its allowance', async () => {
    build({
      throttle: { ...defaultLoginThrottle, global: { freeFailures: 20, windowS: 60, baseDelayS: 2, maxDelayS: 60 } },
    })
    await Promise.all(Array.from({ length: 21 }, (_, i) => login('no-such-user', 'x', `10.4.0.${i}`)))
    const answer = await login('center-li', TEST_PASSWORD, '10.5.0.1')
    expect(answer).toMatchObject({
      status: 429,
      retryAfter: '2',
      body: { error: { code: 'PL_TOO_MANY_REQUESTS', message: expect.stringMatching(/at the moment/) } },
    })
    expect(metrics.http.refused.login_throttled_global).toBe(1)
  })

  it('password changes go through the same throttle', async () => {
    const change = (password: string) =>
      app.request(
        '/api/v1/auth/password',
        {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ username: 'center-li', password, newPassword: 'Huaian-park-77' }),
        },
        { incoming: { socket: { remoteAddress: '10.6.0.1' } } },
      )
    for (let i = 0; i < 6; i++) expect((await change('Wrong-pass-123')).status).toBe(401)
    const refused = await change(TEST_PASSWORD)
    expect(refused.status).toBe(429)
    expect(refused.headers.get('retry-after')).toBe(String(defaultLoginThrottle.perAddress.baseDelayS))
  })
})

describe('the audit log records the socket address', () => {
  let server: Server
  let origin: string
  const serve = async () => {
    server = createAdaptorServer({ fetch: app.fetch }) as Server
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  }
  afterEach(async () => {
    server.closeAllConnections()
    await new Promise((resolve) => server.close(resolve))
  })
  const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
    fetch(`${origin}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify(body),
    })
  const lastLogin = async () => (await env.store.auth.queryAudit({ actor: 'center-li', limit: 1 }))[0]!

  it('ignores X-Forwarded-For from a peer that is not a trusted proxy (audit and throttle)', async () => {
    await serve()
    expect(
      (
        await post(
          '/api/v1/auth/login',
          { username: 'center-li', password: TEST_PASSWORD },
          { 'x-forwarded-for': '203.0.113.9' },
        )
      ).status,
    ).toBe(200)
    const entry = await lastLogin()
    expect(entry.detail).toMatchObject({ address: '127.0.0.1' })
    expect(JSON.stringify(entry)).not.toContain('203.0.113.9')
    // A forged header per attempt does not get around the throttle: every attempt is 127.0.0.1's.
    for (let i = 0; i < 6; i++)
      await post(
        '/api/v1/auth/login',
        { username: 'center-li', password: 'Wrong-pass-123' },
        { 'x-forwarded-for': `198.51.100.${i}` },
      )
    expect(
      (
        await post(
          '/api/v1/auth/login',
          { username: 'center-li', password: TEST_PASSWORD },
          { 'x-forwarded-for': '198.51.100.99' },
        )
      ).status,
    ).toBe(429)
    // A mutation's audit entry carries the address too.
    const admin = await testKey(t.accounts, 'security_admin')
    await post('/api/v1/users/1/unlock', {}, { authorization: `Bearer ${admin}`, 'x-forwarded-for': '203.0.113.9' })
    expect((await env.store.auth.queryAudit({ action: 'POST /api/v1/users/:id/unlock', limit: 1 }))[0]!.detail).toEqual(
      { status: 200, address: '127.0.0.1' },
    )
  })

  it('behind a trusted proxy: the client it names (the rightmost untrusted hop), and the proxy as `via`', async () => {
    build({ trustedProxies: ['127.0.0.0/8'] })
    await serve()
    await post(
      '/api/v1/auth/login',
      { username: 'center-li', password: TEST_PASSWORD },
      { 'x-forwarded-for': '198.51.100.1, 203.0.113.9' },
    )
    expect((await lastLogin()).detail).toMatchObject({ address: '203.0.113.9', via: '127.0.0.1' })
  })
})
