import { createHash } from 'node:crypto'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { Hono } from 'hono'
import { T0, captureLogger, manualClock, tempStore, testAuth, testKey } from '../../test/cloud/helpers.ts'
import { createMetrics } from '../metrics.ts'
import { createApp } from './app.ts'
import { DOCS_STYLE } from './openapi/docs-page.ts'

/** Issue 13, HTTP: CSP, anti-framing, nosniff and a strict referrer policy everywhere; no-store on the API. */
let env: Awaited<ReturnType<typeof tempStore>>
let app: Hono
let key: string

beforeEach(async () => {
  env = await tempStore()
  const t = testAuth(env.store, manualClock())
  app = createApp({
    store: env.store,
    clock: manualClock(),
    metrics: createMetrics(T0),
    log: captureLogger().log,
    ...t,
  })
  key = await testKey(t.accounts, 'park_operator')
})
afterEach(async () => env.dispose())

const common = (res: Response) => {
  const h = Object.fromEntries(res.headers)
  // Own scripts only, or (the API description) none at all; never 'unsafe-inline' or 'unsafe-eval'.
  expect(h['content-security-policy']).toMatch(/default-src 'none'|default-src 'self'; script-src 'self';/)
  expect(h['content-security-policy']).toMatch(/frame-ancestors 'none'/)
  expect(h['content-security-policy']).not.toMatch(/unsafe/)
  expect(h).toMatchObject({
    'x-frame-options': 'DENY',
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
  })
  return h
}

describe('security headers', () => {
  it.each([
    ['a JSON answer', '/api/v1/points', true],
    ['a refusal', '/api/v1/points', false],
    ['an unknown API route', '/api/v1/nothing', true],
    ['the public health probe', '/api/v1/health', false],
    ['the API description', '/api/v1/docs', false],
  ])('on %s, with Cache-Control: no-store', async (_what, path, withKey) => {
    const res = await app.request(path, withKey ? { headers: { authorization: `Bearer ${key}` } } : {})
    expect(common(res)['cache-control']).toBe('no-store')
  })

  it('on the live alarm stream', async () => {
    const res = await app.request('/api/v1/alarms/stream', { headers: { authorization: `Bearer ${key}` } })
    common(res)
    expect(res.headers.get('cache-control')).toBe('no-store')
    await res.body?.cancel()
  })

  it('on the dashboard (built or not)', async () => {
    const res = await app.request('/')
    common(res)
    expect(res.headers.get('cache-control')).not.toBe('no-store') // the page is revalidated, its assets cached
  })

  it("the API description's one inline stylesheet is allowed by its hash, nothing else inline", async () => {
    const res = await app.request('/api/v1/docs')
    const hash = createHash('sha256').update(DOCS_STYLE).digest('base64')
    expect(res.headers.get('content-security-policy')).toBe(
      `default-src 'none'; style-src 'sha256-${hash}'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'`,
    )
    const page = await res.text()
    expect(page).toContain(`<style>${DOCS_STYLE}</style>`)
    expect(page).not.toMatch(/<script|style="/)
  })
})
