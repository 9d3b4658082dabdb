import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import mqtt from 'mqtt'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { startParklink, stopAll } from '../util/child.ts'
import { randomBytes } from 'node:crypto'
import { bearer, tryGetJson } from '../util/http.ts'
import { freePort } from '../util/ports.ts'
import { waitFor } from '../util/wait.ts'

interface PointView {
  id: string
  latest: { ts: number; value: unknown; quality: string } | null
  limitsFrom: string
  limits: Record<string, number | null> | null
}

/** `npm start` is `parklink demo`: what a new engineer sees first must work. */
describe('parklink demo', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'parklink-demo-'))
  afterAll(async () => {
    await stopAll()
    rmSync(dir, { recursive: true, force: true })
  })

  it('serves at least 10 points whose values change within 10 s, and stops cleanly on Ctrl-C', async () => {
    const port = await freePort()
    const key = `plk_${randomBytes(24).toString('hex')}`
    const mqttPort = await freePort()
    const demo = startParklink(
      'demo',
      ['demo', '--port', String(port), '--mqtt-port', String(mqttPort), '--data-dir', dir],
      { PARKLINK_DEMO_API_KEY: key },
    )
    const url = `http://127.0.0.1:${port}/api/v1/points`
    const auth = bearer(key)
    const first = await waitFor(
      async () => {
        const points = await tryGetJson<PointView[]>(url, auth)
        return points && points.filter((p) => p.latest?.quality === 'good').length >= 10 ? points : null
      },
      { timeoutMs: 30_000, message: () => `the demo served fewer than 10 good points\n${demo.output().slice(-3000)}` },
    )

    const changed = await waitFor(
      async () => {
        const now = (await tryGetJson<PointView[]>(url, auth)) ?? []
        const moved = now.filter((p) => {
          const before = first.find((b) => b.id === p.id)
          return p.latest && before?.latest && p.latest.ts > before.latest.ts && p.latest.value !== before.latest.value
        })
        return moved.length >= 10 ? moved : null
      },
      { timeoutMs: 10_000, intervalMs: 500, message: 'fewer than 10 point values changed within 10 s' },
    )
    expect(changed.length).toBeGreaterThanOrEqual(10)
    // The banner comes once every edge is up (the OPC UA one makes its certificate first).
    await waitFor(() => new RegExp(`http://localhost:${port}/api/v1/points`).test(demo.output()), {
      timeoutMs: 30_000,
      message: () => `the demo printed no banner\n${demo.output().slice(-3000)}`,
    })
    expect(readdirSync(dir).sort()).toEqual(
      expect.arrayContaining([
        'cloud',
        'demo-cloud.yaml',
        'demo-edge.yaml',
        'demo-edge-fuqiang.yaml',
        'demo-edge-park.yaml',
        'edge-shilian-01',
      ]),
    )

    // The whole park: an OPC UA enterprise (its control room's limits adopted), the gallery's
    // settlement from static-level gauges (baseline requested by the demo), an HJ 212 station.
    const park = await waitFor(
      async () => {
        const points = (await tryGetJson<PointView[]>(url, auth)) ?? []
        const good = (id: string) => points.find((p) => p.id === id && p.latest?.quality === 'good')
        return good('fuqiang.tk201.level') &&
          good('fuqiang.gt201.cl2') &&
          good('park.pg01.m1.level.settlement') &&
          good('park.pg01.m2.level.settlement') &&
          good('park.ws01.cod')
          ? points
          : null
      },
      {
        timeoutMs: 30_000,
        intervalMs: 500,
        message: () => `OPC UA, settlement and HJ 212 points good\n${demo.output().slice(-3000)}`,
      },
    )
    expect(park.find((p) => p.id === 'fuqiang.tk201.level')).toMatchObject({
      limitsFrom: 'source',
      limits: { hh: 10.5, h: 9.5, l: 1.5, ll: 0.8 },
    })
    expect(park.find((p) => p.id === 'fuqiang.gt201.cl2')?.limits).toMatchObject({ hh: 2, h: 1, l: null, ll: null })

    // A simulated ONVIF camera on the gallery: an intrusion alarm (RYRQ) with its snapshot.
    const api = `http://127.0.0.1:${port}/api/v1`
    const intrusion = await waitFor(
      async () =>
        (
          await tryGetJson<Array<{ id: number; point: string; provincial: { alarmType: string } }>>(
            `${api}/alarms?kind=RYRQ&state=all`,
            auth,
          )
        )?.[0],
      { timeoutMs: 30_000, message: () => `an RYRQ alarm from the demo camera\n${demo.output().slice(-3000)}` },
    )
    expect(intrusion).toMatchObject({ point: 'camera:park-cam-pg01', provincial: { alarmType: 'RYRQ' } })
    const snapshot = await waitFor(
      async () => (await tryGetJson<Array<{ url: string }>>(`${api}/alarms/${intrusion.id}/snapshots`, auth))?.[0],
    )
    const image = await fetch(`http://127.0.0.1:${port}${snapshot.url}`, { headers: auth })
    expect(image.headers.get('content-type')).toBe('image/jpeg')
    expect(await tryGetJson<Array<{ id: string; area: string; online: boolean }>>(`${api}/cameras`, auth)).toEqual([
      expect.objectContaining({ id: 'park-cam-pg01', area: 'PG-01', online: true }),
    ])
    // Demo mode prints its login and the key; the key from PARKLINK_DEMO_API_KEY works, nothing works without one,
    // and the printed login gets a session.
    expect(demo.output()).toContain(key)
    const password = /password (Demo-[\w-]+)/.exec(demo.output())?.[1]
    expect(password).toBeDefined()
    expect((await fetch(url)).status).toBe(401)
    const login = await fetch(`http://127.0.0.1:${port}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'demo-shilian', password }),
    })
    const session = (await login.json()) as { accessToken: string }
    const own = (await tryGetJson<PointView[]>(url, bearer(session.accessToken))) ?? []
    expect(own.length).toBeGreaterThan(0)
    expect(own.every((p) => p.id.startsWith('shilian.'))).toBe(true) // an enterprise user sees its own points only

    // Its broker lets no one in without a login; the configs name each part's broker user and the
    // variable of its password, never the password (made at this start, handed over in memory).
    await expect(
      mqtt.connectAsync(`mqtt://127.0.0.1:${mqttPort}`, { reconnectPeriod: 0, connectTimeout: 5_000 }),
    ).rejects.toThrow(/not authori[sz]ed/i)
    const edgeYaml = readFileSync(path.join(dir, 'demo-edge.yaml'), 'utf8')
    expect(edgeYaml).toMatch(/username: huaian-park\/shilian-01\n\s+passwordEnv: PARKLINK_DEMO_MQTT_PASSWORD/)
    expect(readFileSync(path.join(dir, 'demo-cloud.yaml'), 'utf8')).toMatch(
      /username: parklink-cloud-demo\n\s+passwordEnv: PARKLINK_DEMO_MQTT_PASSWORD/,
    )
    expect(await demo.kill('SIGINT')).toBe(0)
  }, 60_000)
})
