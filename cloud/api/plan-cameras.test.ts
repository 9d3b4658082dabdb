import { createHash, randomUUID } from 'node:crypto'
import { readFileSync } from 'node:fs'
import type { Hono } from 'hono'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { CameraEvent } from '../../shared/wire/camera.ts'
import {
  T0,
  batch,
  birth,
  captureLogger,
  good,
  manualClock,
  signedIn,
  tempStore,
  testAuth,
  testKey,
} from '../../test/cloud/helpers.ts'
import { SNAPSHOT_FIXTURE } from '../../test/sim/onvif-sim.ts'
import { startCommLossWatcher } from '../alarms/comm-loss.ts'
import { createMetrics, type CloudMetrics } from '../metrics.ts'
import { PLAN_IMAGE_MAX_BYTES } from '../registry/plan-image.ts'
import { createApp } from './app.ts'

const MIN = 60_000
const HOUR = 60 * MIN
const JPEG = readFileSync(SNAPSHOT_FIXTURE)
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==',
  'base64',
)
const clock = manualClock()
const logged = captureLogger()
const log = logged.log
let env: Awaited<ReturnType<typeof tempStore>>
let admin: Pick<Hono, 'request'>
let operator: Pick<Hono, 'request'>
let metrics: CloudMetrics

beforeEach(async () => {
  env = await tempStore()
  clock.set(T0)
  const auth = testAuth(env.store, clock)
  metrics = createMetrics(T0)
  const app = createApp({ store: env.store, clock, metrics, log, ...auth })
  admin = signedIn(app, await testKey(auth.accounts))
  operator = signedIn(app, await testKey(auth.accounts, 'park_operator'))
  const points = ['cam-gate', 'cam-yard'].flatMap((cam) => [
    {
      id: `${cam}.online`,
      device: cam,
      camera: { area: 'tank-farm-1', enterprise: 'shilian', host: '10.0.0.9', port: 80 },
    },
    { id: `${cam}.event`, device: cam },
  ])
  await env.store.recordBirth('huaian', birth('s1', { points }), T0)
})
afterEach(() => env.dispose())

const call = async (who: Pick<Hono, 'request'>, method: string, path: string, body?: unknown, type?: string) => {
  const res = await who.request(path, {
    method,
    ...(body === undefined
      ? {}
      : type
        ? { body: body as string, headers: { 'content-type': type } }
        : { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }),
  })
  const ct = res.headers.get('content-type') ?? ''
  return {
    status: res.status,
    headers: res.headers,
    body: ct.startsWith('application/json') ? ((await res.json()) as any) : Buffer.from(await res.arrayBuffer()),
  }
}
const status = (camera: string, ts: number, online: boolean): CameraEvent => ({
  id: randomUUID(),
  camera,
  ts,
  type: 'status',
  online,
  ...(online ? {} : { reason: 'unreachable' }),
})
const ingest = (seq: number, events: CameraEvent[], at = T0) =>
  env.store.ingestBatch(
    { ...batch(seq, [good('cam-gate.event', events[0]!.ts, 'RYRQ')]), events },
    { site: 'huaian', receivedAt: at },
  )

describe('the cameras page API (issue 17)', () => {
  it('counts offline cameras per enterprise, now and over a period, from the reported transitions', async () => {
    // cam-gate: down 2 h before the period, back 1 h into it, down again 3 h in (still down).
    await ingest(1, [status('cam-gate', T0 - 2 * HOUR, false)])
    await ingest(2, [status('cam-gate', T0 + HOUR, true)])
    await ingest(3, [status('cam-gate', T0 + 3 * HOUR, false)])
    await ingest(4, [status('cam-yard', T0, true)])
    clock.set(T0 + 5 * HOUR)
    const res = await call(operator, 'GET', `/api/v1/cameras/offline?from=${T0}&to=${T0 + 5 * HOUR}`)
    expect(res.status).toBe(200)
    expect(res.body.enterprises).toEqual([
      {
        enterprise: 'shilian',
        total: 2,
        offlineNow: 1,
        offlineRate: 0.5,
        offline: [{ camera: 'cam-gate', name: null, area: 'tank-farm-1', since: T0 + 3 * HOUR, forMs: 2 * HOUR }],
        // 1 h at the start (down before the period) + 2 h at the end; one new episode in the period.
        period: { episodes: 1, offlineMs: 3 * HOUR },
      },
    ])
    expect((await call(operator, 'GET', `/api/v1/cameras/offline?from=${T0}&to=${T0}`)).status).toBe(400)
  })

  it("lists each camera's newest snapshot", async () => {
    const snap = (ts: number) => ({
      id: randomUUID(),
      ts,
      contentType: 'image/jpeg' as const,
      bytes: JPEG.length,
      sha256: createHash('sha256').update(JPEG).digest('hex'),
      data: JPEG.toString('base64'),
    })
    const first = snap(T0 - 2 * MIN)
    const newest = snap(T0 - MIN)
    const raise = (ts: number, s: ReturnType<typeof snap>): CameraEvent => ({
      id: randomUUID(),
      camera: 'cam-gate',
      ts,
      type: 'pulse',
      topic: 'tns1:RuleEngine/FieldDetector/ObjectsInside',
      kind: 'intrusion',
      code: 'RYRQ',
      priority: 'A',
      snapshot: s,
    })
    await ingest(1, [raise(first.ts, first), raise(newest.ts, newest)])
    const res = await call(operator, 'GET', '/api/v1/cameras')
    expect(res.status, JSON.stringify(logged.lines().slice(-3))).toBe(200)
    const cams = res.body as any[]
    expect(cams.find((c) => c.id === 'cam-gate').lastSnapshot).toEqual({
      id: newest.id,
      ts: newest.ts,
      url: `/api/v1/snapshots/${newest.id}`,
    })
    expect(cams.find((c) => c.id === 'cam-yard').lastSnapshot).toBeNull()
  })
})

describe('plan coordinates and the plan image (issue 17)', () => {
  it('places enterprises, hazard sources and cameras (x/y in 0…1, lon/lat), audited; a lone x or an x past 1 is refused', async () => {
    const ent = await call(admin, 'PATCH', '/api/v1/registry/enterprises/shilian', { x: 0.25, y: 0.4 })
    expect(ent.status).toBe(200)
    expect(ent.body).toMatchObject({ id: 'shilian', x: 0.25, y: 0.4 })
    const mhs = await call(admin, 'POST', '/api/v1/registry/hazard-sources', {
      id: 'shilian-tanks',
      enterprise: 'shilian',
      name: '液氨罐区',
      level: 1,
      x: 0.3,
      y: 0.5,
      lon: 119.12,
      lat: 33.55,
    })
    expect(mhs.body).toMatchObject({ x: 0.3, y: 0.5, lon: 119.12, lat: 33.55 })
    expect((await call(admin, 'PATCH', '/api/v1/registry/enterprises/shilian', { x: 0.5 })).status).toBe(400)
    expect((await call(admin, 'PATCH', '/api/v1/registry/enterprises/shilian', { x: 1.5, y: 0 })).status).toBe(400)
    const cam = await call(admin, 'PUT', '/api/v1/registry/cameras/cam-gate/position', { x: 0.7, y: 0.2 })
    expect(cam).toMatchObject({ status: 200, body: { id: 'cam-gate', x: 0.7, y: 0.2 } })
    expect((await call(operator, 'PUT', '/api/v1/registry/cameras/cam-gate/position', { x: 0, y: 0 })).status).toBe(403)
    expect((await call(admin, 'PUT', '/api/v1/registry/cameras/nope/position', { x: 0, y: 0 })).status).toBe(404)
    // A birth does not move it.
    await env.store.recordBirth(
      'huaian',
      birth('s2', {
        points: [
          {
            id: 'cam-gate.online',
            device: 'cam-gate',
            camera: { area: 'tank-farm-1', enterprise: 'shilian', host: 'h', port: 80 },
          },
        ],
      }),
      T0,
    )
    const wall = (await call(operator, 'GET', '/api/v1/wall')).body
    expect(wall.plan.enterprises.find((e: any) => e.id === 'shilian')).toMatchObject({ x: 0.25, y: 0.4 })
    expect(wall.plan.hazardSources[0]).toMatchObject({ id: 'shilian-tanks', x: 0.3, y: 0.5 })
    expect(wall.plan.cameras).toEqual([
      {
        id: 'cam-gate',
        name: 'cam-gate',
        enterprise: 'shilian',
        x: 0.7,
        y: 0.2,
        offline: false,
        worst: null,
        active: 0,
      },
    ])
    const audit = await env.store.auth.queryAudit({ limit: 50 })
    expect(audit.map((a) => a.target)).toContain('cameras/cam-gate/position')
  })

  it('lights a placed camera whose OFFLINE alarm is active', async () => {
    await call(admin, 'PUT', '/api/v1/registry/cameras/cam-gate/position', { x: 0.7, y: 0.2 })
    const watcher = startCommLossWatcher({
      store: env.store,
      clock,
      log,
      staleAfterMs: HOUR,
      edgeOfflineAfterMs: HOUR,
      cameraOfflineAfterMs: 5 * MIN,
      intervalMs: HOUR,
    })
    try {
      await ingest(1, [status('cam-gate', T0, false)])
      clock.set(T0 + 6 * MIN)
      await watcher.runOnce()
    } finally {
      watcher.stop()
    }
    const cam = (await call(operator, 'GET', '/api/v1/wall')).body.plan.cameras[0]
    expect(cam).toMatchObject({ id: 'cam-gate', offline: true, active: 1 })
    expect(cam.worst).toMatch(/^[SABCD]$/)
  })

  it('stores a PNG, JPEG or clean SVG sniffed by its bytes; refuses others, scripts and oversize, counted', async () => {
    expect((await call(operator, 'GET', '/api/v1/plan/image')).status).toBe(404)
    const put = await call(admin, 'PUT', '/api/v1/plan/image', PNG, 'image/jpeg') // the header lies: the bytes decide
    expect(put).toMatchObject({ status: 201, body: { type: 'image/png', bytes: PNG.length } })
    const got = await call(operator, 'GET', '/api/v1/plan/image')
    expect(got.status).toBe(200)
    expect(got.headers.get('content-type')).toBe('image/png')
    expect(Buffer.compare(got.body, PNG)).toBe(0)
    expect((await call(operator, 'GET', '/api/v1/wall')).body.plan.image).toMatchObject({
      url: '/api/v1/plan/image',
      type: 'image/png',
    })

    expect((await call(operator, 'PUT', '/api/v1/plan/image', PNG, 'image/png')).status).toBe(403)
    const text = await call(admin, 'PUT', '/api/v1/plan/image', Buffer.from('hello'), 'image/png')
    expect(text).toMatchObject({ status: 400, body: { error: { code: 'PL_BAD_REQUEST' } } })
    const evil = '<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
    expect((await call(admin, 'PUT', '/api/v1/plan/image', evil, 'image/svg+xml')).status).toBe(400)
    const onload = '<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"></svg>'
    expect((await call(admin, 'PUT', '/api/v1/plan/image', onload, 'image/svg+xml')).status).toBe(400)
    const big = Buffer.concat([PNG, Buffer.alloc(PLAN_IMAGE_MAX_BYTES)])
    expect((await call(admin, 'PUT', '/api/v1/plan/image', big, 'image/png')).status).toBe(413)
    expect(metrics.http.refused.plan_image_refused).toBe(3)
    // The refused uploads left the stored plan as it was.
    expect(Buffer.compare((await call(operator, 'GET', '/api/v1/plan/image')).body, PNG)).toBe(0)

    const svg =
      '<?xml version="1.0"?>\n<!-- plan --><svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"><rect width="10" height="10"/></svg>'
    expect((await call(admin, 'PUT', '/api/v1/plan/image', svg, 'text/plain')).body.type).toBe('image/svg+xml')
    const served = await call(operator, 'GET', '/api/v1/plan/image')
    expect(served.headers.get('content-type')).toBe('image/svg+xml')
    expect(served.headers.get('content-security-policy')).toMatch(/sandbox/)
  })
})
