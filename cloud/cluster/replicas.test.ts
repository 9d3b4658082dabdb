import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { TEST_PASSWORD, TEST_SCRYPT, registry, storeKey } from '../../test/cloud/helpers.ts'
import { freshDatabase, startTemplateCluster, type TestDatabase } from '../../test/util/pg-databases.ts'
import type { TestPostgres } from '../../test/util/postgres.ts'
import postgres from 'postgres'
import { type SseEvent, openSse } from '../../test/util/sse.ts'
import { waitFor } from '../../test/util/wait.ts'
import { tempDir } from '../../test/cloud/helpers.ts'
import { createAccounts } from '../auth/accounts.ts'
import { defaultAuthConfig } from '../auth/config.ts'
import { CloudConfigSchema } from '../config.ts'
import { type RunningCloud, startCloud } from '../service.ts'
import { pgChangeSignal } from './pg-wake.ts'

/**
 * Issue 16: two cloud replicas on one PostgreSQL database, as behind a load balancer. A dashboard
 * connected to B sees what was done through A (the alarm relay: NOTIFY, then the timeline by id),
 * each change once; and a client whose requests alternate between them stays logged in (the
 * signing secret shared, sessions and refresh tokens in the database).
 */
let server: TestPostgres
let db: TestDatabase | null = null
const clouds: RunningCloud[] = []
const dirs: Array<{ remove(): void }> = []
const SECRET_ENV = 'PARKLINK_TOKEN_SECRET'

beforeAll(async () => {
  server = await startTemplateCluster()
  // Both replicas sign with one secret (deploy/: the same environment file on every host).
  process.env[SECRET_ENV] = 'replica-test-secret-0123456789abcdefghijkl'
}, 120_000)
afterAll(async () => {
  delete process.env[SECRET_ENV]
  await server?.stop()
})
afterEach(async () => {
  for (const c of clouds.splice(0)) await c.stop()
  for (const d of dirs.splice(0)) d.remove()
  await db?.drop()
  db = null
})

async function replica(id: string, relayPollS = 30, filesDir?: string): Promise<RunningCloud> {
  const dir = tempDir(`parklink-replica-${id}-`)
  dirs.push(dir)
  const config = CloudConfigSchema.parse({
    dataDir: dir.dir,
    http: { host: '127.0.0.1', port: 0 },
    // No broker: ingest keeps reconnecting; the API and the timers do not need it.
    mqtt: { url: 'mqtt://127.0.0.1:1', clientId: `cloud-${id}-${process.pid}`, reconnectPeriodMs: 60_000 },
    log: { level: 'silent' },
    registry,
    store: { engine: 'postgres', url: db!.url, poolSize: 4, ...(filesDir ? { filesDir } : {}) },
    // 30 s: a NOTIFY must be what wakes B in the first test, not its poll.
    coordination: { relayPollS },
  })
  const cloud = await startCloud(config)
  clouds.push(cloud)
  return cloud
}

const post = async (url: string, body: unknown, token?: string) => {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
  })
  return { status: res.status, body: (await res.json()) as any }
}

describe('two cloud replicas on one PostgreSQL database', () => {
  it('an alarm raised and acked through A reaches a stream on B, each change once, with its timeline id', async () => {
    db = await freshDatabase(server.url)
    const [a, b] = [await replica('a'), await replica('b')]
    const key = await storeKey(b.store)
    const events: SseEvent[] = []
    const sse = openSse(`${b.url}/api/v1/alarms/stream`, { authorization: `Bearer ${key}` }, (e) => events.push(e))
    try {
      await sse.opened
      await waitFor(() => events.some((e) => e.event === 'ready'))
      // The raise through A's store (as A's comm-loss watcher does), the ack through A's API.
      expect(
        await a.store.raiseSystemAlarm({
          point: 'edge:shilian-01',
          kind: 'OFFLINE',
          priority: 'B',
          ts: Date.now(),
          value: 61,
          limit: 60,
        }),
      ).toBe(true)
      const raise = await waitFor(() => events.find((e) => e.event === 'raise'), { message: 'the raise on B' })
      const alarm = JSON.parse(raise.data).change.alarm as number
      const ack = await post(`${a.url}/api/v1/alarms/${alarm}/ack`, {}, await storeKey(a.store))
      expect(ack.status).toBe(200)
      await waitFor(() => events.find((e) => e.event === 'ack'), { message: 'the ack on B' })
      // A later change proves nothing more was coming: each change arrived once, ids rising.
      await a.store.recoverSystemAlarm('edge:shilian-01', 'OFFLINE', Date.now(), 0)
      await waitFor(() => events.find((e) => e.event === 'recover'), { message: 'the recovery on B' })
      const changes = events.filter((e) => e.event !== 'ready')
      expect(changes.map((e) => e.event)).toEqual(['raise', 'ack', 'recover'])
      const ids = changes.map((e) => Number(e.id))
      expect(ids.every((id, i) => i === 0 || id > ids[i - 1]!)).toBe(true)
    } finally {
      sse.close()
    }
  })

  it('log in on A, refresh on B, use the new token on A; logging out on B ends it on A', async () => {
    db = await freshDatabase(server.url)
    const [a, b] = [await replica('a'), await replica('b')]
    await createAccounts(a.store.auth, defaultAuthConfig.password, TEST_SCRYPT).createUser(
      { username: 'duty', role: 'park_operator', password: TEST_PASSWORD },
      'test',
      Date.now(),
    )
    const login = await post(`${a.url}/api/v1/auth/login`, { username: 'duty', password: TEST_PASSWORD })
    expect(login.status).toBe(200)
    const refreshed = await post(`${b.url}/api/v1/auth/refresh`, { refreshToken: login.body.refreshToken })
    expect(refreshed.status).toBe(200)
    const me = (cloud: RunningCloud, token: string) =>
      fetch(`${cloud.url}/api/v1/auth/me`, { headers: { authorization: `Bearer ${token}` } }).then((r) => r.status)
    expect(await me(a, refreshed.body.accessToken)).toBe(200)
    expect(await me(b, refreshed.body.accessToken)).toBe(200)
    // Logged out on B: the session is gone for A too, and so is the refresh token B replaced.
    expect((await post(`${b.url}/api/v1/auth/logout`, {}, refreshed.body.accessToken)).status).toBe(200)
    expect(await me(a, refreshed.body.accessToken)).toBe(401)
    expect((await post(`${a.url}/api/v1/auth/refresh`, { refreshToken: login.body.refreshToken })).status).toBe(401)
    expect((await post(`${a.url}/api/v1/auth/refresh`, { refreshToken: refreshed.body.refreshToken })).status).toBe(401)
  })
  it("B's listen connection dropped: what A commits meanwhile still reaches B's stream, once", async () => {
    db = await freshDatabase(server.url)
    const a = await replica('a')
    const b = await replica('b', 0.5)
    const key = await storeKey(b.store)
    const events: SseEvent[] = []
    const sse = openSse(`${b.url}/api/v1/alarms/stream`, { authorization: `Bearer ${key}` }, (e) => events.push(e))
    const admin = postgres(db.url, { max: 1, onnotice: () => {} })
    try {
      await sse.opened
      await waitFor(() => events.some((e) => e.event === 'ready'))
      // Both replicas' listeners gone (B's is the one that matters; A's NOTIFY still goes out on a new session).
      const killed =
        await admin`select pg_terminate_backend(pid) from pg_stat_activity where application_name = 'parklink-cloud alarm changes'`
      expect(killed.length).toBeGreaterThan(0)
      for (let i = 0; i < 5; i++)
        await a.store.raiseSystemAlarm({
          point: `edge:e${i}`,
          kind: 'OFFLINE',
          priority: 'B',
          ts: Date.now(),
          value: 61,
          limit: 60,
        })
      await waitFor(() => events.filter((e) => e.event === 'raise').length >= 5, { message: 'five raises on B' })
      await waitFor(
        async () =>
          (await admin`select 1 from pg_stat_activity where application_name = 'parklink-cloud alarm changes'`)
            .length >= 2,
        { message: 'both listening again' },
      )
      await a.store.recoverSystemAlarm('edge:e0', 'OFFLINE', Date.now(), 0)
      await waitFor(() => events.some((e) => e.event === 'recover'), { message: 'the recovery on B' })
      const ids = events.filter((e) => e.event !== 'ready').map((e) => e.id)
      expect(ids).toHaveLength(6)
      expect(new Set(ids).size).toBe(6)
    } finally {
      sse.close()
      await admin.end({ timeout: 2 })
    }
  })
  it('files the database does not hold are in store.filesDir, shared: the plan image put through A is served by B', async () => {
    db = await freshDatabase(server.url)
    const shared = tempDir('parklink-shared-')
    dirs.push(shared)
    const [a, b] = [await replica('a', 30, shared.dir), await replica('b', 30, shared.dir)]
    const png = Buffer.from(
      'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==',
      'base64',
    )
    const put = await fetch(`${a.url}/api/v1/plan/image`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${await storeKey(a.store)}`, 'content-type': 'image/png' },
      body: png,
    })
    expect(put.status).toBe(201)
    const got = await fetch(`${b.url}/api/v1/plan/image`, {
      headers: { authorization: `Bearer ${await storeKey(b.store)}` },
    })
    expect(got.status).toBe(200)
    expect(Buffer.from(await got.arrayBuffer()).equals(png)).toBe(true)
  })
  it('of two replicas exactly one runs the timers (health says which); it stops, the other takes over', async () => {
    db = await freshDatabase(server.url)
    const [a, b] = [await replica('a'), await replica('b')]
    const leading = async (c: RunningCloud) =>
      (
        (await (
          await fetch(`${c.url}/api/v1/health`, { headers: { authorization: `Bearer ${await storeKey(c.store)}` } })
        ).json()) as { cluster: { leading: boolean } }
      ).cluster.leading
    expect([await leading(a), await leading(b)].sort()).toEqual([false, true])
    const [leader, follower] = (await leading(a)) ? [a, b] : [b, a]
    await leader.stop()
    await waitFor(() => follower.metrics.cluster.leading, { timeoutMs: 15_000, message: 'the follower takes over' })
  })
  it('a registry edit announced by one replica is heard by the others (their ingest drops its ownership cache), apart from alarm commits', async () => {
    db = await freshDatabase(server.url)
    const [a, b] = [pgChangeSignal({ url: db.url }), pgChangeSignal({ url: db.url })]
    try {
      let heard = 0
      let alarmWakes = 0
      b.onRegistryChange(() => heard++)
      await a.listen(() => {})
      await b.listen(() => alarmWakes++)
      const afterConnect = heard // a (re)connect counts as a change: one may have been missed meanwhile
      expect(afterConnect).toBe(1)
      a.announceRegistry()
      await waitFor(() => heard === afterConnect + 1, { message: 'b hears the registry edit' })
      const wakes = alarmWakes
      a.announce()
      await waitFor(() => alarmWakes > wakes, { message: 'b hears an alarm commit' })
      expect(heard).toBe(afterConnect + 1) // an alarm commit is no registry edit
    } finally {
      await a.close()
      await b.close()
    }
  })
})
