import { randomUUID } from 'node:crypto'
import type { CameraEvent } from '../../shared/wire/camera.ts'
import { createAlarmFeed } from '../../cloud/alarms/feed.ts'
import { startCommLossWatcher } from '../../cloud/alarms/comm-loss.ts'
import { createApp } from '../../cloud/api/app.ts'
import { createMetrics } from '../../cloud/metrics.ts'
import { systemClock } from '../../shared/clock.ts'
import {
  LEVEL,
  PRESSURE,
  TEST_PASSWORD,
  batch,
  birth,
  captureLogger,
  good,
  tempStore,
  testAuth,
} from '../cloud/helpers.ts'
import { serveApp } from '../util/dashboard.ts'
import { seedPageData } from './fixture-pages.ts'
import type { ScreensLive } from './live-relay.ts'

/**
 * A demo-like cloud for the screen tests and `npm run screenshots` (issue 17): the real app on
 * a loopback port 0 over a temp SQLite store, with the registry placed on an uploaded plan, two
 * cameras (one offline long enough for its OFFLINE alarm), a chattering level point, a few
 * ordinary alarms, two hours of history with a gap, a red gas-leak warning, and a user per role
 * that has a page.
 */
export const PLAN_SVG = `<?xml version="1.0" encoding="UTF-8"?>
<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 1000 560">
  <rect width="1000" height="560" fill="#1d2b3a"/>
  <path d="M0 280 H1000 M500 0 V560" stroke="#5c6f82" stroke-width="26"/>
  <rect x="60" y="40" width="380" height="200" fill="#2a4058" stroke="#7f93a8" stroke-width="4"/>
  <rect x="560" y="40" width="380" height="200" fill="#2a4058" stroke="#7f93a8" stroke-width="4"/>
  <rect x="60" y="320" width="380" height="200" fill="#2a4058" stroke="#7f93a8" stroke-width="4"/>
  <circle cx="760" cy="420" r="80" fill="#2f4a3a" stroke="#7fa88f" stroke-width="4"/>
</svg>`

export const USERS = {
  park_admin: 'center-admin',
  park_operator: 'center-li',
  security_admin: 'sec-zhou',
  auditor: 'audit-qian',
  technician: 'tech-sun',
} as const

export interface ScreensFixture {
  origin: string
  adminToken: string
  close(): Promise<void>
}

const status = (camera: string, ts: number, online: boolean): CameraEvent => ({
  id: randomUUID(),
  camera,
  ts,
  type: 'status',
  online,
  ...(online ? {} : { reason: 'unreachable: ECONNREFUSED' }),
})

/** `live`: a relay for the live player (live-relay.ts); its camera's edge announces it. */
export async function startScreensFixture(o: { live?: ScreensLive } = {}): Promise<ScreensFixture> {
  const feed = createAlarmFeed()
  const env = await tempStore(undefined, (change) => feed.publish(change))
  const auth = testAuth(env.store, systemClock)
  const now = Date.now()
  for (const [role, username] of Object.entries(USERS))
    await auth.accounts.createUser(
      { username, role: role as keyof typeof USERS, password: TEST_PASSWORD },
      'fixture',
      now,
    )
  const adminToken = (await auth.auth.login(USERS.park_admin, TEST_PASSWORD)).tokens.accessToken
  const app = createApp({
    store: env.store,
    clock: systemClock,
    metrics: createMetrics(now),
    log: captureLogger().log,
    alarmFeed: feed,
    ...auth,
    ...(o.live ? { liveTokens: o.live.issue, live: { dashboardOrigins: [o.live.url] } } : {}),
  })
  const served = await serveApp(app)
  o.live?.allow(served.origin)
  const api = async (method: string, route: string, body: unknown, type = 'application/json') => {
    const res = await fetch(`${served.origin}${route}`, {
      method,
      headers: { authorization: `Bearer ${adminToken}`, 'content-type': type },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    })
    if (!res.ok) throw new Error(`${method} ${route}: ${res.status} ${await res.text()}`)
  }
  await seed(env.store, api, now, o.live?.url)
  return {
    origin: served.origin,
    adminToken,
    async close() {
      await served.close()
      await env.dispose()
    },
  }
}

type Api = (method: string, route: string, body: unknown, type?: string) => Promise<void>
type Store = Awaited<ReturnType<typeof tempStore>>['store']

async function seed(store: Store, api: Api, now: number, liveUrl?: string): Promise<void> {
  await api('PUT', '/api/v1/plan/image', PLAN_SVG, 'image/svg+xml')
  await api('PATCH', '/api/v1/registry/enterprises/shilian', { x: 0.25, y: 0.28 })
  await api('PATCH', '/api/v1/registry/enterprises/fuqiang', { x: 0.75, y: 0.28 })
  await api('POST', '/api/v1/registry/hazard-sources', {
    id: 'shilian-nh3-tanks',
    enterprise: 'shilian',
    name: '液氨罐区',
    level: 1,
    x: 0.25,
    y: 0.75,
  })
  await store.registry.patchPoint(LEVEL, { hazardSource: 'shilian-nh3-tanks' })
  const camera = (name: string) => ({ name, area: 'tank-farm-1', enterprise: 'shilian', host: '10.20.1.64', port: 80 })
  await store.recordBirth(
    'huaian',
    {
      ...birth('s1', {
        points: [
          { id: 'cam-gate.online', device: 'cam-gate', camera: camera('北门摄像机') },
          { id: 'cam-tank.online', device: 'cam-tank', camera: camera('罐区摄像机') },
        ],
      }),
      ...(liveUrl ? { live: { url: liveUrl } } : {}),
    },
    now,
  )
  await api('PUT', '/api/v1/registry/cameras/cam-gate/position', { x: 0.45, y: 0.45 })
  await api('PUT', '/api/v1/registry/cameras/cam-tank/position', { x: 0.32, y: 0.62 })
  let seq = 0
  const send = (samples: ReturnType<typeof good>[], events?: CameraEvent[]) =>
    store.ingestBatch(
      { ...batch(++seq, samples), ...(events ? { events } : {}) },
      { site: 'huaian', receivedAt: Date.now() },
    )
  // cam-gate went offline 40 min ago (its OFFLINE alarm after 5 min); cam-tank is online.
  await send([good('cam-gate.online', now - 40 * 60_000, false)], [status('cam-gate', now - 40 * 60_000, false)])
  await send([good('cam-tank.online', now - 3_600_000, true)], [status('cam-tank', now - 3_600_000, true)])
  const watcher = startCommLossWatcher({
    store,
    clock: systemClock,
    log: captureLogger().log,
    staleAfterMs: 24 * 3_600_000,
    edgeOfflineAfterMs: 24 * 3_600_000,
    cameraOfflineAfterMs: 5 * 60_000,
    intervalMs: 3_600_000,
  })
  await watcher.runOnce()
  watcher.stop()
  // Two hours of values, a gap, a recovered pressure alarm and a red gas warning (fixture-pages.ts).
  await seedPageData(store, now, (samples) => send(samples))
  // The level chatters: over and back four times within a minute, 10 minutes ago.
  const t0 = now - 10 * 60_000
  for (let i = 0; i < 4; i++) {
    await send([good(LEVEL, t0 + i * 10_000, 6.0)])
    await send([good(LEVEL, t0 + i * 10_000 + 5_000, 1.0)])
  }
  await send([good(PRESSURE, now - 2 * 60_000, 0.5)])
}
