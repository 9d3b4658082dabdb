import { generateKeyPairSync } from 'node:crypto'
import type { Hono } from 'hono'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { decodeStatus } from '../../shared/wire/codec.ts'
import { signViewerToken, verifyViewerToken } from '../../shared/wire/live-token.ts'
import { T0, birth, captureLogger, manualClock, tempStore, testAuth, testKey } from '../../test/cloud/helpers.ts'
import { type CloudMetrics, createMetrics } from '../metrics.ts'
import { createApp } from './app.ts'

/** Issue 17: where the dashboard opens a camera's live view, and the CSP that lets it connect there only. */
const LIVE = 'ws://10.20.0.5:8091'
const OTHER = 'ws://10.20.0.9:8091'
const key = generateKeyPairSync('ed25519')
const camera = { name: '北门摄像机', area: 'tank-farm-1', enterprise: 'shilian', host: '10.20.1.64', port: 80 }
const camPoints = (id: string) => [{ id: `${id}.online`, device: id, camera }]

let env: Awaited<ReturnType<typeof tempStore>>
let app: Hono
let metrics: CloudMetrics
let bearer: string

beforeEach(async () => {
  env = await tempStore()
  const clock = manualClock()
  const auth = testAuth(env.store, clock)
  metrics = createMetrics(T0)
  app = createApp({
    store: env.store,
    clock,
    metrics,
    log: captureLogger().log,
    ...auth,
    liveTokens: async (cam, subject, now) =>
      await signViewerToken(key.privateKey, { camera: cam, subject, issuer: 'parklink-cloud', now }),
    live: { dashboardOrigins: [`${LIVE}/`, 'wss://edge-7.park.example.cn'] },
  })
  bearer = `Bearer ${await testKey(auth.accounts, 'park_operator')}`
  const at = (edge: string, url: string | undefined, cams: string[]) =>
    env.store.recordBirth(
      'huaian',
      { ...birth(`s-${edge}`, { edge, points: cams.flatMap(camPoints) }), ...(url ? { live: { url } } : {}) },
      T0,
    )
  await at('edge-a', LIVE, ['cam-gate'])
  await at('edge-b', OTHER, ['cam-b'])
  await at('edge-c', undefined, ['cam-c'])
  // edge-b names edge-a's camera too: a birth never re-homes it, so its URL stays edge-a's.
  await at('edge-b', OTHER, ['cam-b', 'cam-gate'])
})
afterEach(() => env.dispose())

const liveToken = async (cam: string) => {
  const res = await app.request(`/api/v1/cameras/${cam}/live-token`, {
    method: 'POST',
    headers: { authorization: bearer },
  })
  expect(res.status).toBe(200)
  return (await res.json()) as {
    token: string
    url: string | null
    expiresAt: number
    unavailable: { code: string; message: string; hint: string } | null
  }
}

describe('live view in the dashboard: where to connect', () => {
  it("answers the token with the camera's own edge's relay URL, the one the park lists", async () => {
    const body = await liveToken('cam-gate')
    expect(body).toMatchObject({ url: `${LIVE}/live/cam-gate`, expiresAt: T0 + 60_000, unavailable: null })
    expect(await verifyViewerToken(body.token, 'cam-gate', [key.publicKey], T0)).toMatchObject({ ok: true })
  })

  it('gives no URL, with the reason and what to do, for an edge that announced none or one the park does not list', async () => {
    const unlisted = await liveToken('cam-b')
    expect(unlisted.url).toBeNull()
    expect(unlisted.unavailable).toMatchObject({
      code: 'PL_LIVE_VIEW_UNAVAILABLE',
      hint: expect.stringContaining(OTHER),
    })
    const silent = await liveToken('cam-c')
    expect(silent.url).toBeNull()
    expect(silent.unavailable).toMatchObject({
      code: 'PL_LIVE_VIEW_UNAVAILABLE',
      hint: expect.stringContaining('live.publicUrl'),
    })
    expect(metrics.http.refused).toMatchObject({ live_origin_not_listed: 1, live_not_announced: 1 })
  })

  it("lets the dashboard's pages connect to the listed live origins and nowhere else", async () => {
    for (const path of ['/', '/api/v1/health']) {
      const csp = (await app.request(path)).headers.get('content-security-policy') ?? ''
      const connect = /connect-src ([^;]*)/.exec(csp)?.[1]?.split(' ')
      expect(connect, path).toEqual(["'self'", LIVE, 'wss://edge-7.park.example.cn'])
    }
  })

  it('refuses a birth whose live URL is not a bare ws:// or wss:// origin', () => {
    const payload = (url: string) => JSON.stringify({ ...birth('s1'), live: { url } })
    expect(decodeStatus(payload(LIVE)).ok).toBe(true)
    for (const url of ['http://10.20.0.5:8091', `${LIVE}/live`, 'ws://user:pw@10.20.0.5:8091', 'javascript:alert(1)'])
      expect(decodeStatus(payload(url)).ok, url).toBe(false)
  })
})
