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
import { createMetrics } from '../metrics.ts'
import { createApp } from './app.ts'

const MIN = 60_000
const JPEG = readFileSync(SNAPSHOT_FIXTURE)
const clock = manualClock()
const log = captureLogger().log
let env: Awaited<ReturnType<typeof tempStore>>
let app: Pick<Hono, 'request'>
let auth: ReturnType<typeof testAuth>
let key: string

beforeEach(async () => {
  env = await tempStore()
  clock.set(T0)
  auth = testAuth(env.store, clock)
  key = await testKey(auth.accounts)
  app = signedIn(createApp({ store: env.store, clock, metrics: createMetrics(T0), log, ...auth }), key)
  const camera = { name: '北门摄像机', area: 'tank-farm-1', enterprise: 'shilian', host: '10.20.1.64', port: 80 }
  await env.store.recordBirth(
    'huaian',
    birth('s1', {
      points: [
        { id: 'cam-gate.online', device: 'cam-gate', camera },
        { id: 'cam-gate.event', device: 'cam-gate' },
      ],
    }),
    T0,
  )
})
afterEach(() => env.dispose())

const get = async (path: string) => {
  const res = await app.request(path)
  return {
    status: res.status,
    type: res.headers.get('content-type'),
    body: res.headers.get('content-type')?.startsWith('application/json')
      ? ((await res.json()) as any)
      : Buffer.from(await res.arrayBuffer()),
  }
}
const intrusion = (ts: number, type: 'raise' | 'clear' = 'raise', body: Buffer | null = JPEG): CameraEvent => ({
  id: randomUUID(),
  camera: 'cam-gate',
  ts,
  type,
  topic: 'tns1:RuleEngine/FieldDetector/ObjectsInside',
  kind: 'intrusion',
  code: 'RYRQ',
  priority: 'A',
  ...(type === 'raise' && body
    ? {
        snapshot: {
          id: randomUUID(),
          ts,
          contentType: 'image/jpeg' as const,
          bytes: body.length,
          sha256: createHash('sha256').update(body).digest('hex'),
          data: body.toString('base64'),
        },
      }
    : {}),
})
const status = (ts: number, online: boolean): CameraEvent => ({
  id: randomUUID(),
  camera: 'cam-gate',
  ts,
  type: 'status',
  online,
  ...(online ? {} : { reason: 'unreachable: ECONNREFUSED' }),
})
const ingest = (seq: number, events: CameraEvent[], at = T0) =>
  env.store.ingestBatch(
    { ...batch(seq, [good('cam-gate.event', events[0]!.ts, 'RYRQ')]), events },
    { site: 'huaian', receivedAt: at },
  )

/** An event's snapshot in 3 parts, as the edge sends one too large for a message (shared/wire/camera.ts). */
const inParts = (e: CameraEvent): [CameraEvent, CameraEvent, CameraEvent, CameraEvent] => {
  if (e.type !== 'raise' || !e.snapshot) throw new Error('a raise with a snapshot')
  const chars = Math.ceil(e.snapshot.data.length / 12) * 4
  const parts = [0, 1, 2].map(
    (index): CameraEvent => ({
      id: randomUUID(),
      camera: e.camera,
      ts: e.ts,
      type: 'part',
      snapshot: e.snapshot!.id,
      index,
      count: 3,
      data: e.snapshot!.data.slice(index * chars, (index + 1) * chars),
    }),
  )
  return [parts[0]!, parts[1]!, parts[2]!, { ...e, snapshot: { ...e.snapshot, data: '', parts: 3 } }]
}

describe('cameras in the cloud', () => {
  it('keeps a camera from the birth as a registry entry with its area and enterprise', async () => {
    const { body } = await get('/api/v1/cameras?area=tank-farm-1')
    expect(body).toEqual([
      expect.objectContaining({
        id: 'cam-gate',
        edge: 'shilian-01',
        name: '北门摄像机',
        area: 'tank-farm-1',
        enterprise: 'shilian',
        online: null,
        edgeOnline: true,
      }),
    ])
    expect((await get('/api/v1/cameras?area=elsewhere')).body).toEqual([])
  })

  it('turns an intrusion into an RYRQ alarm at the event time, with its JPEG retrievable; a resend changes nothing; clear recovers it', async () => {
    const e = intrusion(T0 - 30_000)
    await ingest(1, [e], T0)
    await ingest(1, [e], T0 + 1_000) // resent batch: duplicate
    const alarms = (await get('/api/v1/alarms?kind=RYRQ')).body
    expect(alarms).toHaveLength(1)
    expect((await get('/api/v1/alarms?kind=RYRQ&enterprise=shilian&q=北门')).body).toHaveLength(1)
    expect(alarms[0]).toMatchObject({
      point: 'camera:cam-gate',
      pointName: '北门摄像机',
      enterprise: 'shilian',
      kind: 'RYRQ',
      priority: 'A',
      raisedAt: T0 - 30_000,
      state: 'active',
      provincial: { alarmType: 'RYRQ' },
    })
    const snaps = (await get(`/api/v1/alarms/${alarms[0].id}/snapshots`)).body
    expect(snaps).toEqual([
      expect.objectContaining({
        camera: 'cam-gate',
        bytes: JPEG.length,
        url: `/api/v1/snapshots/${(e as any).snapshot.id}`,
      }),
    ])
    const image = await get(snaps[0].url)
    expect(image).toMatchObject({ status: 200, type: 'image/jpeg' })
    expect(Buffer.compare(image.body as Buffer, JPEG)).toBe(0)
    await ingest(2, [intrusion(T0 + MIN, 'clear')])
    expect((await get(`/api/v1/alarms/${alarms[0].id}`)).body).toMatchObject({
      state: 'recovered',
      recoveredAt: T0 + MIN,
    })
    expect((await get('/api/v1/snapshots/00000000-0000-0000-0000-000000000000')).status).toBe(404)
    expect((await get('/api/v1/alarms/999/snapshots')).status).toBe(404)
  })

  it('refuses a snapshot whose bytes do not match its hash, and keeps the alarm with the reason', async () => {
    const e = intrusion(T0) as any
    e.snapshot.sha256 = '0'.repeat(64)
    await ingest(1, [e])
    const [alarm] = (await get('/api/v1/alarms?kind=RYRQ')).body
    expect((await get(`/api/v1/alarms/${alarm.id}/snapshots`)).body).toEqual([])
  })

  it('joins a snapshot sent in parts, whatever the order: linked only when whole and verified, never half', async () => {
    const e = intrusion(T0)
    const [p0, p1, p2, event] = inParts(e)
    // The event overtakes its last two parts (a resend after a broker restart): the alarm is there, no picture yet.
    await ingest(1, [p0])
    await ingest(2, [event])
    const [alarm] = (await get('/api/v1/alarms?kind=RYRQ')).body
    expect((await get(`/api/v1/alarms/${alarm.id}/snapshots`)).body).toEqual([])
    await ingest(3, [p1])
    expect((await get(`/api/v1/alarms/${alarm.id}/snapshots`)).body).toEqual([])
    // The last part completes it: joined, checked and linked to the event's alarm.
    await ingest(4, [p2])
    const snaps = (await get(`/api/v1/alarms/${alarm.id}/snapshots`)).body
    expect(snaps).toEqual([expect.objectContaining({ id: (e as any).snapshot.id, bytes: JPEG.length })])
    expect(Buffer.compare((await get(snaps[0].url)).body as Buffer, JPEG)).toBe(0)

    // A part altered in transit: the joined bytes fail the hash, and nothing is linked.
    const bad = intrusion(T0 + MIN)
    const [q0, q1, q2, badEvent] = inParts(bad) as any[]
    q1.data = `${q1.data.slice(0, -8)}AAAAAAAA`
    for (const [i, piece] of [q0, q1, q2, badEvent].entries()) await ingest(10 + i, [piece])
    const alarms = (await get('/api/v1/alarms?kind=RYRQ&state=all')).body as Array<{ id: number }>
    for (const a of alarms)
      expect((await get(`/api/v1/alarms/${a.id}/snapshots`)).body.map((x: any) => x.id)).not.toContain(
        bad.type === 'raise' ? bad.snapshot!.id : '',
      )
    expect((await get(`/api/v1/snapshots/${(bad as any).snapshot.id}`)).status).toBe(404)
  })

  it('asks the edge for pictures of an area for any alarm, and says what it could not do', async () => {
    const sent: Array<{ site: string; request: any }> = []
    let mqttUp = true
    const withMqtt = signedIn(
      createApp({
        store: env.store,
        clock,
        metrics: createMetrics(T0),
        log,
        ...auth,
        requestSnapshots: (site, request) => (sent.push({ site, request }), mqttUp),
      }),
      key,
    )
    const post = async (path: string, body: unknown) => {
      const res = await withMqtt.request(path, {
        method: 'POST',
        body: JSON.stringify(body),
        headers: { 'content-type': 'application/json' },
      })
      return { status: res.status, body: (await res.json()) as any }
    }
    await ingest(1, [intrusion(T0)])
    const [alarm] = (await get('/api/v1/alarms?kind=RYRQ')).body
    const ok = await post(`/api/v1/alarms/${alarm.id}/snapshots`, { area: 'tank-farm-1' })
    expect(ok).toMatchObject({
      status: 202,
      body: { alarm: alarm.id, requested: [{ camera: 'cam-gate', edge: 'shilian-01', sent: true }] },
    })
    expect(sent).toEqual([
      {
        site: 'huaian',
        request: expect.objectContaining({ edge: 'shilian-01', alarm: alarm.id, cameras: ['cam-gate'], ts: T0 }),
      },
    ])
    mqttUp = false
    expect((await post(`/api/v1/alarms/${alarm.id}/snapshots`, { cameras: ['cam-gate'] })).body.requested[0].sent).toBe(
      false,
    )
    expect((await post(`/api/v1/alarms/${alarm.id}/snapshots`, {})).status).toBe(400)
    expect((await post('/api/v1/alarms/999/snapshots', { area: 'tank-farm-1' })).status).toBe(404)
    expect((await post(`/api/v1/alarms/${alarm.id}/snapshots`, { area: 'elsewhere' })).body.error.message).toBe(
      'no camera in area "elsewhere"',
    )
    // The picture the edge sends back is linked to the alarm it was asked for.
    const picture = intrusion(T0 + 1_000) as any
    await ingest(2, [
      {
        id: randomUUID(),
        camera: 'cam-gate',
        ts: T0 + 1_000,
        type: 'snapshot',
        alarm: alarm.id,
        request: sent[0]!.request.id,
        snapshot: picture.snapshot,
      },
    ])
    expect((await get(`/api/v1/alarms/${alarm.id}/snapshots`)).body).toHaveLength(2)
  })

  it('a camera offline longer than the limit raises an OFFLINE comm-loss alarm that recovers when it returns', async () => {
    const watcher = startCommLossWatcher({
      store: env.store,
      clock,
      log,
      staleAfterMs: 60 * MIN,
      edgeOfflineAfterMs: 60 * MIN,
      cameraOfflineAfterMs: 5 * MIN,
      intervalMs: 3_600_000,
    })
    try {
      await ingest(1, [status(T0, false)])
      clock.set(T0 + 4 * MIN)
      await watcher.runOnce()
      expect((await get('/api/v1/alarms?kind=OFFLINE')).body.filter((a: any) => a.point === 'camera:cam-gate')).toEqual(
        [],
      )
      clock.set(T0 + 6 * MIN)
      await watcher.runOnce()
      expect((await get('/api/v1/cameras')).body[0]).toMatchObject({
        online: false,
        since: T0,
        reason: 'unreachable: ECONNREFUSED',
        offlineForMs: 6 * MIN,
      })
      const [raised] = (await get('/api/v1/alarms?kind=OFFLINE')).body.filter((a: any) => a.point === 'camera:cam-gate')
      expect(raised).toMatchObject({ state: 'active', raisedAt: T0 + 5 * MIN })
      await ingest(2, [status(T0 + 7 * MIN, true)])
      clock.set(T0 + 8 * MIN)
      await watcher.runOnce()
      expect((await get(`/api/v1/alarms/${raised.id}`)).body).toMatchObject({
        state: 'recovered',
        recoveredAt: T0 + 7 * MIN,
      })
    } finally {
      watcher.stop()
    }
  })

  it("an enterprise sees its own cameras and pictures only; another's are unknown (404)", async () => {
    await ingest(1, [intrusion(T0)])
    const [alarm] = (await get('/api/v1/alarms?kind=RYRQ')).body
    const [snapshot] = (await get(`/api/v1/alarms/${alarm.id}/snapshots`)).body
    const as = async (enterprise: string) => {
      const other = signedIn(
        createApp({ store: env.store, clock, metrics: createMetrics(T0), log, ...auth }),
        await testKey(auth.accounts, 'enterprise_user', enterprise),
      )
      const status = async (path: string) => (await other.request(path)).status
      return {
        cameras: (await (await other.request('/api/v1/cameras')).json()) as any[],
        snapshots: await status(`/api/v1/alarms/${alarm.id}/snapshots`),
        jpeg: await status(`/api/v1/snapshots/${snapshot.id}`),
      }
    }
    expect(await as('shilian')).toMatchObject({
      cameras: [expect.objectContaining({ id: 'cam-gate' })],
      snapshots: 200,
      jpeg: 200,
    })
    expect(await as('fuqiang')).toEqual({ cameras: [], snapshots: 404, jpeg: 404 })
  })
})
