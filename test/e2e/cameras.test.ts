import { createPublicKey } from 'node:crypto'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { startCommLossWatcher } from '../../cloud/alarms/comm-loss.ts'
import { CloudConfigSchema } from '../../cloud/config.ts'
import { createLogger as createCloudLogger } from '../../cloud/log.ts'
import type { RunningCloud } from '../../cloud/service.ts'
import { storeKey } from '../cloud/helpers.ts'
import { bearer } from '../util/http.ts'
import { startEdgeAgent, type EdgeAgent } from '../../edge/agent.ts'
import { EdgeConfigSchema, resolveEdgeConfig } from '../../edge/config.ts'
import { createLogger } from '../../edge/log.ts'
import { startTestBroker, type TestBroker } from '../util/edge-support.ts'
import { SNAPSHOT_FIXTURE, startOnvifSim, type OnvifSim } from '../sim/onvif-sim.ts'
import { waitFor } from '../util/wait.ts'
import WebSocket from 'ws'
import { startRtspSource, type RtspSource } from '../sim/rtsp-source.ts'
import { stopAll } from '../util/child.ts'
import { freePort } from '../util/ports.ts'
import { startTestCloud } from '../util/test-cloud.ts'

interface Alarm {
  id: number
  point: string
  kind: string
  state: string
  raisedAt: number
  recoveredAt: number | null
  provincial: { alarmType: string | null }
}

describe('a camera from the plant to the park (simulated ONVIF camera, real edge agent, broker and cloud)', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'parklink-cameras-'))
  let sim: OnvifSim | null = null
  let broker: TestBroker | null = null
  let cloud: RunningCloud | null = null
  let edge: EdgeAgent | null = null
  let rtsp: RtspSource | null = null
  afterEach(async () => {
    await edge?.stop()
    await stopAll()
    await cloud?.stop()
    await broker?.close()
    await sim?.close()
    rmSync(dir, { recursive: true, force: true })
  })

  it('intrusion → RYRQ alarm with a JPEG; an event during an uplink outage arrives later with its time; offline → comm loss that recovers', async () => {
    rtsp = await startRtspSource()
    sim = await startOnvifSim({ streamUri: rtsp.url })
    const livePort = await freePort()
    broker = await startTestBroker()
    const brokerPort = broker.port
    cloud = await startTestCloud(
      CloudConfigSchema.parse({
        dataDir: path.join(dir, 'cloud'),
        http: { port: 0 },
        mqtt: { url: broker.url, clientId: 'cloud-under-test', reconnectPeriodMs: 200 },
        registry: { claimUnknownPoints: 'open', enterprises: [{ id: 'shilian', name: '实联化工' }] },
        live: { dashboardOrigins: [`ws://127.0.0.1:${livePort}`] },
      }),
      { log: createCloudLogger({ level: 'silent' }) },
    )
    const config = resolveEdgeConfig(
      EdgeConfigSchema.parse({
        site: 'huaian',
        edge: 'shilian-01',
        dataDir: path.join(dir, 'edge'),
        uplink: {
          url: broker.url,
          ackTimeoutMs: 1_000,
          heartbeatMs: 300,
          reconnectMinMs: 100,
          reconnectMaxMs: 300,
          keepaliveS: 5,
        },
        devices: [
          {
            id: 'cam-north-gate',
            kind: 'onvif',
            name: '北门',
            host: sim.host,
            port: sim.port,
            username: 'admin',
            passwordEnv: 'CAM_PW',
            area: 'tank-farm-1',
            enterprise: 'shilian',
            healthIntervalMs: 500,
            pullIntervalMs: 100,
            pullWaitS: 1,
          },
        ],
        // The cloud created its live-view key on first start: the edge trusts its public half.
        live: {
          port: livePort,
          publicUrl: `ws://127.0.0.1:${livePort}`,
          idleTimeoutS: 1,
          viewerKeys: [
            createPublicKey(readFileSync(path.join(dir, 'cloud', 'live-key.pem')))
              .export({ type: 'spki', format: 'pem' })
              .toString(),
          ],
          dashboardOrigin: 'https://park.example.cn',
        },
      }),
      dir,
    )
    edge = await startEdgeAgent(config, { log: createLogger('cameras-e2e', 'silent'), env: { CAM_PW: 'sim-password' } })
    const api = `${cloud.url}/api/v1`
    const auth = bearer(await storeKey(cloud.store, 'park_operator'))
    const json = async <T>(p: string): Promise<T> => (await (await fetch(`${api}${p}`, { headers: auth })).json()) as T

    const cameras = await waitFor(async () =>
      (await json<Array<{ id: string; online: boolean | null; area: string }>>('/cameras')).find(
        (c) => c.online === true,
      ),
    )
    expect(cameras).toMatchObject({ id: 'cam-north-gate', area: 'tank-farm-1', enterprise: 'shilian' })
    await waitFor(() => sim!.subscriptions() === 1)

    // 0. Live view through the edge's relay: the camera's RTSP stream (from GetStreamUri) as MPEG-TS,
    // opened with a viewer token the cloud gave the operator.
    const issued = await fetch(`${api}/cameras/cam-north-gate/live-token`, { method: 'POST', headers: auth })
    expect(issued.status).toBe(200)
    const { url: liveUrl, token } = (await issued.json()) as { url: string; token: string }
    // The edge announced its relay in its birth; the cloud lists it, so the dashboard may open it.
    expect(liveUrl).toBe(`ws://127.0.0.1:${livePort}/live/cam-north-gate`)
    const ws = new WebSocket(`${liveUrl}?token=${token}`, { origin: 'https://park.example.cn' })
    const video: Buffer[] = []
    ws.on('message', (d: Buffer) => video.push(d))
    await waitFor(() => Buffer.concat(video).length >= 188 * 4, {
      timeoutMs: 15_000,
      message: 'live MPEG-TS from the edge relay',
    })
    expect(Buffer.concat(video)[188]).toBe(0x47)
    ws.close()

    // 1. An intrusion becomes an alarm in the park with the provincial code and its picture.
    sim.raise()
    const alarm = await waitFor(
      async () => (await json<Alarm[]>('/alarms?kind=RYRQ')).find((a) => a.state === 'active'),
      { message: 'RYRQ alarm in the cloud' },
    )
    expect(alarm).toMatchObject({ point: 'camera:cam-north-gate', provincial: { alarmType: 'RYRQ' } })
    const [snap] = await json<Array<{ url: string }>>(`/alarms/${alarm.id}/snapshots`)
    const res = await fetch(`${cloud.url}${snap!.url}`, { headers: auth })
    expect(res.headers.get('content-type')).toBe('image/jpeg')
    expect(Buffer.compare(Buffer.from(await res.arrayBuffer()), readFileSync(SNAPSHOT_FIXTURE))).toBe(0)
    sim.raise({ item: { name: 'IsInside', value: 'false' } })
    await waitFor(async () => (await json<Alarm>(`/alarms/${alarm.id}`)).state === 'recovered')

    // An operator asks for a fresh picture of the area for that alarm: the edge takes it and sends it.
    const ask = await fetch(`${api}/alarms/${alarm.id}/snapshots`, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json' },
      body: JSON.stringify({ area: 'tank-farm-1' }),
    })
    expect(ask.status).toBe(202)
    expect(((await ask.json()) as { requested: unknown[] }).requested).toEqual([
      expect.objectContaining({ camera: 'cam-north-gate', sent: true }),
    ])
    await waitFor(async () => (await json<unknown[]>(`/alarms/${alarm.id}/snapshots`)).length === 2, {
      message: 'the requested snapshot in the cloud',
    })
    expect(
      (
        await fetch(`${api}/alarms/${alarm.id}/snapshots`, {
          method: 'POST',
          headers: { ...auth, 'content-type': 'application/json' },
          body: JSON.stringify({ area: 'nowhere' }),
        })
      ).status,
    ).toBe(404)

    // 2. The uplink goes down; an intrusion happens; it reaches the park afterwards with its own time.
    await broker.close()
    await waitFor(() => edge!.status().uplink.connected === false)
    const during = Date.now() - 1_000
    sim.raise({ at: during })
    await waitFor(() => edge!.status().outbox.batches > 0 && edge!.status().outbox.oldestTs! <= during)
    broker = await startTestBroker(brokerPort)
    const late = await waitFor(
      async () => (await json<Alarm[]>('/alarms?kind=RYRQ&state=all')).find((a) => a.raisedAt === during),
      { timeoutMs: 15_000 },
    )
    expect((await json<unknown[]>(`/alarms/${late.id}/snapshots`)).length).toBe(1)

    // 3. The camera loses power: its edge reports it offline; past the limit, a comm-loss alarm; back, it recovers.
    // The watcher looks from a minute ahead (instead of the test sleeping past the limit).
    const ahead = {
      now: () => Date.now() + 60_000,
      setTimeout: (fn: () => void, ms: number) => setTimeout(fn, ms),
      clearTimeout: (h: unknown) => clearTimeout(h as NodeJS.Timeout),
    }
    const watcher = startCommLossWatcher({
      store: cloud.store,
      clock: ahead,
      log: createCloudLogger({ level: 'silent' }),
      staleAfterMs: 3_600_000,
      edgeOfflineAfterMs: 3_600_000,
      cameraOfflineAfterMs: 30_000,
      intervalMs: 3_600_000,
    })
    try {
      await sim.goOffline()
      const offline = await waitFor(async () =>
        (
          await json<
            Array<{ online: boolean | null; reason: string | null; driver: { lastError: string | null } | null }>
          >('/cameras')
        ).find((c) => c.online === false),
      )
      expect(offline.reason).toMatch(/^unreachable/)
      await watcher.runOnce()
      const loss = (await json<Alarm[]>('/alarms?kind=OFFLINE')).find((a) => a.point === 'camera:cam-north-gate')
      expect(loss).toMatchObject({ state: 'active' })
      await sim.goOnline()
      await waitFor(async () => (await json<Array<{ online: boolean | null }>>('/cameras'))[0]?.online === true)
      await watcher.runOnce()
      expect(await json<Alarm>(`/alarms/${loss!.id}`)).toMatchObject({ state: 'recovered' })
    } finally {
      watcher.stop()
    }
  }, 60_000)
})
