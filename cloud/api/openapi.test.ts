import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Hono } from 'hono'
import { T0, captureLogger, manualClock, tempStore, testAuth, testKey } from '../../test/cloud/helpers.ts'
import { createMetrics } from '../metrics.ts'
import { VERSION } from '../version.ts'
import { createApp } from './app.ts'

/** The API's description: every route the app registers is in it, and the declarations still validate in the house shape. */
const clock = manualClock()
let env: Awaited<ReturnType<typeof tempStore>>
let app: Hono
let key: string
const BASE = '/api/v1'
const DESCRIPTION_ROUTES = [`GET ${BASE}/openapi.json`, `GET ${BASE}/docs`]

beforeAll(async () => {
  env = await tempStore()
  const auth = testAuth(env.store, clock)
  app = createApp({ store: env.store, clock, metrics: createMetrics(T0), log: captureLogger().log, ...auth })
  key = await testKey(auth.accounts, 'park_admin')
})
afterAll(async () => env.dispose())

const documentOf = async () => {
  const res = await app.request(`${BASE}/openapi.json`)
  expect(res.status).toBe(200)
  return (await res.json()) as {
    openapi: string
    info: { title: string; version: string }
    servers: Array<{ url: string }>
    paths: Record<string, Record<string, { security?: unknown[]; parameters?: Array<{ name: string; in: string }> }>>
    components: { securitySchemes: Record<string, { type: string; scheme: string }> }
  }
}
const post = (path: string, body: string) =>
  app.request(path, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body,
  })

describe('GET /api/v1/openapi.json', () => {
  it('is an OpenAPI 3.1 document of parklink with a bearer scheme, without credentials', async () => {
    const doc = await documentOf()
    expect(doc.openapi).toBe('3.1.0')
    expect(doc.info).toMatchObject({ title: 'parklink', version: VERSION })
    expect(doc.servers).toEqual([{ url: BASE }])
    expect(doc.components.securitySchemes.bearer).toMatchObject({ type: 'http', scheme: 'bearer' })
  })

  it('lists every route the app registers under /api/v1 with its method and path parameters', async () => {
    const doc = await documentOf()
    const registered = [
      ...new Set(
        app.routes
          .filter((r) => r.method !== 'ALL' && r.path.startsWith(`${BASE}/`))
          .map((r) => `${r.method} ${r.path}`),
      ),
    ].filter((r) => !DESCRIPTION_ROUTES.includes(r))
    const described = Object.entries(doc.paths).flatMap(([path, methods]) =>
      Object.keys(methods).map((m) => `${m.toUpperCase()} ${BASE}${path.replace(/\{(\w+)\}/g, ':$1')}`),
    )
    expect(
      registered.filter((r) => !described.includes(r)),
      'routes missing from the OpenAPI document (declare them with createRoute)',
    ).toEqual([])
    expect(
      described.filter((r) => !registered.includes(r)),
      'described routes the app does not serve',
    ).toEqual([])
    expect(registered.length).toBeGreaterThanOrEqual(40)
    for (const [path, methods] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(methods)) {
        const declared = (op.parameters ?? [])
          .filter((p) => p.in === 'path')
          .map((p) => p.name)
          .sort()
        expect(declared, `${method} ${path}: path parameters`).toEqual(
          [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort(),
        )
      }
    }
  })

  it('marks the public routes as needing no credentials, and only those', async () => {
    const doc = await documentOf()
    const open = Object.entries(doc.paths)
      .flatMap(([path, methods]) =>
        Object.entries(methods)
          .filter(([, op]) => op.security?.length === 0)
          .map(([m]) => `${m.toUpperCase()} ${path}`),
      )
      .sort()
    expect(open).toEqual(['GET /health', 'POST /auth/login', 'POST /auth/password', 'POST /auth/refresh'])
  })
})

describe('validation by the declared schemas', () => {
  it('a bad query is 400 in the house shape, naming the parameter', async () => {
    const res = await app.request(`${BASE}/alarms?limit=0&sate=all`, { headers: { authorization: `Bearer ${key}` } })
    expect(res.status).toBe(400)
    const body = (await res.json()) as { error: { code: string; message: string; hint: string } }
    expect(body.error.code).toBe('PL_BAD_REQUEST')
    expect(body.error.message).toMatch(/^invalid query: .*limit: must be at least 1/)
    expect(body.error.message).toContain('sate')
    expect(body.error.hint).toMatch(/state: active/)
  })

  it('a bad body is 400 in the house shape, naming the field path; one that is not JSON is 400 too', async () => {
    const res = await post(`${BASE}/alarms/1/triage`, JSON.stringify({ verdict: 'maybe' }))
    expect(res.status).toBe(400)
    expect(await res.json()).toMatchObject({
      error: {
        code: 'PL_BAD_REQUEST',
        message: expect.stringMatching(/^invalid body: verdict: /),
        hint: expect.any(String),
      },
    })
    const garbage = await post(`${BASE}/alarms/1/triage`, '{verdict')
    expect(garbage.status).toBe(400)
    expect(await garbage.json()).toMatchObject({
      error: { code: 'PL_BAD_REQUEST', hint: expect.stringContaining('"verdict":"valid"') },
    })
  })
})

describe('GET /api/v1/docs', () => {
  it('is one HTML page, without credentials, that shows the routes and loads nothing from elsewhere', async () => {
    const res = await app.request(`${BASE}/docs`)
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toMatch(/text\/html/)
    expect(res.headers.get('content-security-policy')).toMatch(/default-src 'none'/)
    const html = await res.text()
    expect(html).toContain(`parklink API`)
    expect(html).toContain('/api/v1/points/{id}/history')
    expect(html).toContain('verdict')
    // Self-contained: no script, no stylesheet or image fetched, no absolute URL to follow.
    expect(html).not.toMatch(/<script|<link|<img|src=|url\(|https?:\/\//i)
  })
})
