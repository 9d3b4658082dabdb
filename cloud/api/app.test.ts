import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { Hono } from 'hono'
import {
  LEVEL,
  NH3,
  OUTBOX,
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
import { createMetrics } from '../metrics.ts'
import { createApp } from './app.ts'

let env: Awaited<ReturnType<typeof tempStore>>
let app: Pick<Hono, 'request'>
let auth: ReturnType<typeof testAuth>
let metrics: ReturnType<typeof createMetrics>
const clock = manualClock()
const meta = { site: 'huaian', receivedAt: T0 }

async function get(path: string) {
  const res = await app.request(path)
  expect(res.headers.get('content-type')).toMatch(/application\/json/)
  return { status: res.status, body: (await res.json()) as any }
}

beforeEach(async () => {
  env = await tempStore()
  clock.set(T0 + 10_000)
  metrics = createMetrics(T0)
  auth = testAuth(env.store, clock)
  app = signedIn(
    createApp({
      store: env.store,
      clock,
      metrics,
      log: captureLogger().log,
      edgeOfflineAfterMs: 60_000,
      version: '9.9.9',
      ...auth,
    }),
    await testKey(auth.accounts, 'park_admin'),
  )
})
afterEach(async () => env.dispose())

describe('GET /api/v1/health', () => {
  it('reports version, uptime, db, mqtt and ingest counters', async () => {
    metrics.ingest.batches = 3
    metrics.ingest.rejected.invalid_payload = 2
    metrics.ingest.rejected.edge_mismatch = 1
    const { status, body } = await get('/api/v1/health')
    expect(status).toBe(200)
    expect(body).toMatchObject({ status: 'degraded', version: '9.9.9', uptimeS: 10, db: 'ok', mqtt: 'disconnected' })
    expect(body.ingest).toMatchObject({
      batches: 3,
      samples: 0,
      duplicates: 0,
      rejected: 3,
      rejectedByReason: { invalid_payload: 2, edge_mismatch: 1, bad_topic: 0 },
    })
    metrics.mqtt.connected = true
    expect((await get('/api/v1/health')).body).toMatchObject({ status: 'ok', mqtt: 'connected' })
  })

  it("shows the retention job's last run, per kind, and its failures (issue 15)", async () => {
    metrics.retention.lastRunAt = T0
    metrics.retention.lastRun = [{ at: T0, kind: 'raw', cutoff: T0 - 1, removed: 42 }]
    metrics.retention.failures = 1
    const { body } = await get('/api/v1/health')
    expect(body.retention).toEqual({
      lastRunAt: T0,
      lastRun: [{ at: T0, kind: 'raw', cutoff: T0 - 1, removed: 42 }],
      nextRunAt: null,
      failures: 1,
      lastError: null,
    })
  })

  it('without credentials tells probes the state only (no version, errors or counters)', async () => {
    const res = await createApp({ store: env.store, clock, metrics, log: captureLogger().log, ...auth }).request(
      '/api/v1/health',
    )
    expect(res.status).toBe(200)
    expect(await res.json()).toEqual({ status: 'degraded', db: 'ok', mqtt: 'disconnected' })
  })

  it('is 503 when the database does not answer', async () => {
    await env.store.close()
    const { status, body } = await get('/api/v1/health')
    expect(status).toBe(503)
    expect(body).toMatchObject({ status: 'degraded', db: 'error' })
  })
})

describe('GET /api/v1/edges', () => {
  it('lists edges with outbox, ack mark and drivers; online only while heard from in time', async () => {
    await env.store.recordBirth('huaian', birth('s-1'), T0)
    await env.store.setAckedThrough('shilian-01', 0, OUTBOX)
    const { status, body } = await get('/api/v1/edges')
    expect(status).toBe(200)
    expect(body).toEqual([
      {
        id: 'shilian-01',
        site: 'huaian',
        online: true,
        offlineReason: null,
        lastSeen: T0,
        session: 's-1',
        outbox: { samples: 12, batches: 3, bytes: 2048, oldestTs: T0, evicted: 0 },
        outboxId: null,
        ackedThrough: 0,
        configHash: 'cfg-1',
        drivers: [],
        clockOffsetMs: null,
        clockCheckedAt: null,
        // No config pushed by the park yet: nothing expected, no drift (issue 19).
        expectedConfigHash: null,
        drift: false,
        lastPush: null,
      },
    ])
    clock.set(T0 + 60_001)
    expect((await get('/api/v1/edges')).body[0]).toMatchObject({ online: false, offlineReason: 'silent' })
    await env.store.recordDeath({ v: 1, kind: 'death', edge: 'shilian-01', session: 's-1' }, null)
    clock.set(T0 + 1)
    expect((await get('/api/v1/edges')).body[0]).toMatchObject({ online: false, offlineReason: 'death' })
  })
})

describe('GET /api/v1/points', () => {
  beforeEach(async () => {
    await env.store.ingestBatch(
      batch(1, [good(LEVEL, T0, 7.25), { point: NH3, ts: T0, value: null, quality: 'bad', reason: 'timeout' }]),
      meta,
    )
  })

  it('lists points with registry fields, limits and latest', async () => {
    const { status, body } = await get('/api/v1/points')
    expect(status).toBe(200)
    expect(body.map((p: any) => p.id)).toEqual(['fuqiang.v201.pressure', NH3, LEVEL])
    expect(body.find((p: any) => p.id === LEVEL)).toEqual({
      id: LEVEL,
      name: '液氨储罐TK-101液位',
      unit: 'm',
      enterprise: 'shilian',
      class: 'mhs',
      hazardSource: null,
      area: null,
      edge: 'shilian-01',
      device: null,
      registered: true,
      limits: { hh: 10.5, h: 9.5, l: 2, ll: 1, deadband: 0.1 },
      limitsFrom: 'registry',
      range: null,
      sourceLimits: null,
      limitsMatchSource: null,
      latest: { ts: T0, value: 7.25, quality: 'good' },
    })
    expect(body.find((p: any) => p.id === NH3)).toMatchObject({
      limits: { hh: 40, h: 20, l: null, ll: null, deadband: 1 },
      latest: { ts: T0, value: null, quality: 'bad', reason: 'timeout' },
    })
    expect(body.find((p: any) => p.id === 'fuqiang.v201.pressure').latest).toBeNull()
  })

  it('filters by enterprise', async () => {
    expect((await get('/api/v1/points?enterprise=fuqiang')).body.map((p: any) => p.id)).toEqual([
      'fuqiang.v201.pressure',
    ])
    expect((await get('/api/v1/points?enterprise=nobody')).body).toEqual([])
  })

  it('GET /points/:id returns one point, 404 JSON for an unknown one', async () => {
    expect((await get(`/api/v1/points/${LEVEL}`)).body).toMatchObject({ id: LEVEL, latest: { value: 7.25 } })
    const missing = await get('/api/v1/points/no.such.point')
    expect(missing.status).toBe(404)
    expect(missing.body.error).toMatchObject({
      code: 'PL_NOT_FOUND',
      message: expect.stringContaining('no.such.point'),
    })
  })
})

describe('GET /api/v1/points/:id/history', () => {
  beforeEach(async () => {
    // One sample a minute for two hours before "now".
    const samples = Array.from({ length: 120 }, (_, i) => good(LEVEL, T0 - 120 * 60_000 + (i + 1) * 60_000, i))
    await env.store.ingestBatch(batch(1, samples), meta)
    clock.set(T0)
  })

  it('defaults to the last hour, ascending', async () => {
    const { body } = await get(`/api/v1/points/${LEVEL}/history`)
    expect(body).toMatchObject({ point: LEVEL, from: T0 - 3_600_000, to: T0, truncated: false })
    expect(body.samples).toHaveLength(61)
    expect(body.samples[0]).toEqual({ ts: T0 - 3_600_000, value: 59, quality: 'good' })
    expect(body.samples.at(-1).ts).toBe(T0)
  })

  it('accepts epoch ms and ISO-8601 (with zone) for the same answer', async () => {
    const from = T0 - 10 * 60_000
    const to = T0 - 5 * 60_000
    const epoch = await get(`/api/v1/points/${LEVEL}/history?from=${from}&to=${to}`)
    const iso = await get(
      `/api/v1/points/${LEVEL}/history?from=${new Date(from).toISOString()}&to=${encodeURIComponent('2025-01-31T07:55:00+08:00')}`,
    )
    expect(epoch.status).toBe(200)
    expect(iso.body).toEqual(epoch.body)
    expect(epoch.body.samples.map((s: any) => s.ts)).toEqual([0, 1, 2, 3, 4, 5].map((i) => from + i * 60_000))
  })

  it('limits and says so', async () => {
    const { body } = await get(`/api/v1/points/${LEVEL}/history?limit=5`)
    expect(body).toMatchObject({ limit: 5, truncated: true })
    expect(body.samples).toHaveLength(5)
  })

  it.each([
    ['from=yesterday', /from/],
    ['from=2025-01-31T08:00:00', /zone/],
    ['to=2025-13-45T99:00:00Z', /to/],
    [`from=${T0}&to=${T0 - 1}`, /after/],
    ['limit=0', /limit/],
    ['limit=100001', /limit/],
    ['limit=ten', /limit/],
    ['form=1', /form/],
  ])('400 with a hint for ?%s', async (query, message) => {
    const { status, body } = await get(`/api/v1/points/${LEVEL}/history?${query}`)
    expect(status).toBe(400)
    expect(body.error.code).toBe('PL_BAD_REQUEST')
    expect(body.error.message).toMatch(message)
    expect(body.error.hint).toMatch(/epoch ms/)
  })

  it('404 for an unknown point', async () => {
    expect((await get('/api/v1/points/nope/history')).status).toBe(404)
  })
})

describe('GET /api/v1/alarms', () => {
  beforeEach(async () => {
    await env.store.ingestBatch(batch(1, [good(LEVEL, T0 + 1, 11)]), meta)
    await env.store.ingestBatch(batch(2, [good(NH3, T0 + 2, 25)]), meta)
    await env.store.ingestBatch(batch(3, [good(LEVEL, T0 + 3, 5)]), meta)
  })

  it('defaults to active alarms, newest first, with point name and enterprise', async () => {
    const { status, body } = await get('/api/v1/alarms')
    expect(status).toBe(200)
    expect(body).toEqual([
      {
        id: 3,
        point: NH3,
        pointName: '罐区氨气检测GT-101',
        enterprise: 'shilian',
        kind: 'H',
        priority: 'B',
        raisedAt: T0 + 2,
        value: 25,
        limit: 20,
        recoveredAt: null,
        recoveredValue: null,
        state: 'active',
        closedAt: null,
        repeats: 0,
        disposal: { ack: null, triage: null, feedback: null, closed: null },
        responseDueAt: T0 + 2 + 600_000,
        overdue: false,
        nextRecontactAt: null,
        provincial: { alarmType: '01', alarmStatus: '01', disposalStatus: '01', falseAlarm: 0 },
      },
    ])
  })

  it('state=all includes recovered ones; point and limit filter', async () => {
    expect((await get('/api/v1/alarms?state=all')).body.map((a: any) => [a.point, a.kind, a.state])).toEqual([
      [NH3, 'H', 'active'],
      [LEVEL, 'HH', 'recovered'],
      [LEVEL, 'H', 'recovered'],
    ])
    expect((await get(`/api/v1/alarms?state=all&point=${LEVEL}&limit=1`)).body.map((a: any) => a.kind)).toEqual(['HH'])
  })

  it('finds alarms by text in the point id or name, and by kind and time', async () => {
    expect((await get('/api/v1/alarms?state=all&q=氨气')).body.map((a: any) => a.point)).toEqual([NH3])
    expect((await get('/api/v1/alarms?state=all&q=tk101')).body.map((a: any) => a.kind)).toEqual(['HH', 'H'])
    expect((await get('/api/v1/alarms?state=all&q=%25')).body).toEqual([]) // a literal %, not a wildcard
    expect((await get('/api/v1/alarms?state=all&kind=HH')).body.map((a: any) => a.point)).toEqual([LEVEL])
    expect((await get(`/api/v1/alarms?state=all&from=${T0 + 2}`)).body.map((a: any) => a.point)).toEqual([NH3])
  })

  it.each(['state=closed', 'limit=-1', 'point=a/b', 'sate=all'])('400 for ?%s', async (query) => {
    const { status, body } = await get(`/api/v1/alarms?${query}`)
    expect(status).toBe(400)
    expect(body.error).toMatchObject({ code: 'PL_BAD_REQUEST', hint: expect.stringMatching(/state/) })
  })
})

describe('errors', () => {
  it('unknown routes are 404 JSON', async () => {
    for (const path of ['/api/v1', '/api/v1/nothing', '/api/v2/points', '/assets/missing.js']) {
      const { status, body } = await get(path)
      expect(status, path).toBe(404)
      expect(body.error.code).toBe('PL_NOT_FOUND')
    }
  })

  it('an unexpected failure is a 500 JSON without internals', async () => {
    const broken = signedIn(
      createApp({
        store: {
          ...env.store,
          listEdges: async () => {
            throw new Error('SQLITE_CORRUPT secret detail')
          },
        },
        clock,
        metrics,
        log: captureLogger().log,
        ...auth,
      }),
      await testKey(auth.accounts, 'park_operator'),
    )
    const res = await broken.request('/api/v1/edges')
    expect(res.status).toBe(500)
    const body = (await res.json()) as any
    expect(body.error.code).toBe('PL_INTERNAL')
    expect(JSON.stringify(body)).not.toMatch(/SQLITE|secret/)
  })
})
