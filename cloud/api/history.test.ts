import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  LEVEL,
  NH3,
  T0,
  batch,
  captureLogger,
  good,
  manualClock,
  signedIn,
  tempStore,
  testAuth,
  testKey,
} from '../../test/cloud/helpers.ts'
import type { Sample } from '../../shared/wire/sample.ts'
import { createMetrics } from '../metrics.ts'
import { createApp } from './app.ts'

const MIN = 60_000
const clock = manualClock()
let env: Awaited<ReturnType<typeof tempStore>>
let app: ReturnType<typeof signedIn>
let seq = 0
const ingest = (samples: Sample[]) => env.store.ingestBatch(batch(++seq, samples), { site: 'huaian', receivedAt: T0 })
const get = async (path: string) => {
  const res = await app.request(path)
  const bytes = Buffer.from(await res.arrayBuffer())
  return { status: res.status, headers: res.headers, bytes, text: bytes.toString('utf8') }
}
const json = async (path: string) => JSON.parse((await get(path)).text)

beforeAll(async () => {
  env = await tempStore()
  clock.set(T0 + 60 * MIN)
  const auth = testAuth(env.store, clock)
  app = signedIn(
    createApp({ store: env.store, clock, metrics: createMetrics(T0), log: captureLogger().log, ...auth }),
    await testKey(auth.accounts, 'park_operator'),
  )
  // TK-101 level: one sample a minute for the first 30 minutes, then nothing (a gap); one bad sample.
  await ingest(Array.from({ length: 30 }, (_, i) => good(LEVEL, T0 + i * MIN, 5 + (i % 10) / 10)))
  await ingest([{ point: LEVEL, ts: T0 + 30_000, value: null, quality: 'bad', reason: 'timeout' }])
})
afterAll(async () => env.dispose())

describe('history lists the samples the alarm rules did not evaluate (issue 14)', () => {
  it("the bad sample older than the point's evaluated state is listed as late, with the state's time", async () => {
    const raw = await json(`/api/v1/points/${LEVEL}/history?from=${T0}&to=${T0 + 60 * MIN}`)
    expect(raw.unevaluated).toEqual([
      {
        from: T0 + 30_000,
        to: T0 + 30_000,
        samples: 1,
        reason: 'late',
        evaluatedThrough: T0 + 29 * MIN,
        edge: 'shilian-01',
        seq: 2,
        receivedAt: T0,
      },
    ])
    expect(
      (await json(`/api/v1/points/${LEVEL}/history?from=${T0}&to=${T0 + 60 * MIN}&step=30m`)).unevaluated,
    ).toHaveLength(1)
    expect((await json(`/api/v1/points/${LEVEL}/history?from=${T0 + MIN}&to=${T0 + 60 * MIN}`)).unevaluated).toEqual([])
  })
})

describe('history aggregation (server side)', () => {
  it('min/max/avg/last/count per bucket; an empty bucket is a gap; bad samples counted apart', async () => {
    const body = await json(`/api/v1/points/${LEVEL}/history?from=${T0}&to=${T0 + 60 * MIN}&step=10m`)
    expect(body).toMatchObject({ point: LEVEL, unit: 'm', from: T0, to: T0 + 60 * MIN, step: 10 * MIN })
    expect(body.buckets).toHaveLength(6)
    expect(body.buckets[0]).toEqual({
      start: T0,
      end: T0 + 10 * MIN,
      count: 10,
      min: 5,
      max: 5.9,
      avg: expect.closeTo(5.45, 9),
      last: 5.9,
      lastTs: T0 + 9 * MIN,
      notGood: 1,
    })
    expect(body.buckets.slice(3).map((b: any) => [b.count, b.avg])).toEqual([
      [0, null],
      [0, null],
      [0, null],
    ])
    const byCount = await json(`/api/v1/points/${LEVEL}/history?from=${T0}&to=${T0 + 60 * MIN}&buckets=2`)
    expect(byCount.buckets.map((b: any) => [b.count, b.min, b.max])).toEqual([
      [30, 5, 5.9],
      [0, null, null],
    ])
  })

  it('equals a computation over the raw samples, for any samples and bucket width (property)', async () => {
    let n = 0
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.record({ t: fc.integer({ min: 0, max: 99_999 }), v: fc.double({ min: -1e6, max: 1e6, noNaN: true }) }),
          { minLength: 1, maxLength: 60 },
        ),
        fc.integer({ min: 10, max: 40_000 }), // 100 s in at most 10 000 buckets
        async (raw, step) => {
          const point = `shilian.prop.p${++n}`
          const from = T0 + 1_000_000 * n
          await ingest(raw.map((r) => good(point, from + r.t, r.v)))
          const body = await json(`/api/v1/points/${point}/history?from=${from}&to=${from + 100_000}&step=${step}`)
          for (const b of body.buckets) {
            const inside = raw.filter((r) => from + r.t >= b.start && from + r.t < b.end)
            expect(b.count).toBe(inside.length)
            if (inside.length === 0) continue
            const values = inside.map((r) => r.v + 0) // JSON has no -0: the API's 0 is the sample's -0
            expect(b.min).toBe(Math.min(...values))
            expect(b.max).toBe(Math.max(...values))
            expect(b.avg).toBeCloseTo(values.reduce((a, v) => a + v, 0) / values.length, 3)
            const lastTs = Math.max(...inside.map((r) => from + r.t))
            expect(b.lastTs).toBe(lastTs)
            expect(values.filter((_, i) => from + inside[i]!.t === lastTs)).toContain(b.last)
          }
        },
      ),
      { numRuns: 40 },
    )
  })

  it.each([
    ['step=5m&buckets=3', /either step or buckets/],
    ['step=1s&from=0', /at most 100000/],
    ['step=fast', /duration/],
    ['buckets=0', /buckets/],
  ])('400 for ?%s', async (query, message) => {
    const r = await get(`/api/v1/points/${LEVEL}/history?${query}`)
    expect(r.status).toBe(400)
    expect(JSON.parse(r.text).error.message).toMatch(message)
  })
})

describe('history over years: answered from the rollups (issue 15)', () => {
  it('step=1d and step=1h over 3 years, from anywhere in a minute, with the raw samples gone', async () => {
    // A store of its own, as retention takes every raw sample in it (on either engine) and leaves the rollups.
    const years = await tempStore()
    try {
      const auth = testAuth(years.store, clock)
      const yearsApp = signedIn(
        createApp({ store: years.store, clock, metrics: createMetrics(T0), log: captureLogger().log, ...auth }),
        await testKey(auth.accounts, 'park_operator'),
      )
      const yearsJson = async (path: string) => (await yearsApp.request(path)).json() as Promise<any>
      const DAY = 24 * 60 * MIN
      const point = 'shilian.years.level'
      const to = T0
      const from = to - 1096 * DAY + 12_345 // not on a minute: the bucket edges' partial minutes are read raw
      // One sample a day at 06:30 for 1 096 days, in batches of 100.
      const list = Array.from({ length: 1096 }, (_, d) => good(point, to - (1096 - d) * DAY + 390 * MIN, d % 10))
      for (let k = 0; k < list.length; k += 100)
        await years.store.ingestBatch(batch(k / 100 + 1, list.slice(k, k + 100)), { site: 'huaian', receivedAt: T0 })
      // Sealed as the compaction job does, then every raw sample aged out (rollups kept: their cutoffs are before any).
      await years.store.compactSamples(Number.MAX_SAFE_INTEGER)
      const runs = await years.store.applyRetention({ raw: T0 + 400 * DAY, rollup_1m: 0, rollup_1h: 0 }, T0)
      expect(runs.map((r) => [r.kind, r.removed])).toEqual([
        ['raw', 1096],
        ['rollup_1m', 0],
        ['rollup_1h', 0],
      ])
      const daily = await yearsJson(`/api/v1/points/${point}/history?from=${from}&to=${to}&step=1d`)
      expect(daily.buckets).toHaveLength(1096)
      expect(daily.buckets.map((b: any) => b.count)).toEqual(Array(1096).fill(1))
      expect(daily.buckets.slice(0, 3).map((b: any) => b.last)).toEqual([0, 1, 2])
      const hourly = await yearsJson(`/api/v1/points/${point}/history?from=${from}&to=${to}&step=1h`)
      expect(hourly.buckets).toHaveLength(1096 * 24)
      expect(hourly.buckets.reduce((n: number, b: any) => n + b.count, 0)).toBe(1096)
    } finally {
      await years.dispose()
    }
  })
})

describe('raw history paging and CSV export', () => {
  it('pages with a cursor: every sample exactly once, also when samples share a timestamp', async () => {
    await ingest(Array.from({ length: 7 }, (_, i) => good(NH3, T0 + Math.floor(i / 3) * 1_000, i))) // ts: 0,0,0,1,1,1,2 s
    const seen: number[] = []
    let cursor: string | null = null
    let pages = 0
    do {
      const page: any = await json(
        `/api/v1/points/${NH3}/history?from=${T0}&to=${T0 + MIN}&limit=2${cursor ? `&cursor=${cursor}` : ''}`,
      )
      seen.push(...page.samples.map((s: any) => s.value))
      expect(page.truncated).toBe(page.next !== null)
      cursor = page.next
      pages++
    } while (cursor)
    expect(seen).toEqual([0, 1, 2, 3, 4, 5, 6])
    expect(pages).toBe(4)
  })

  it('CSV: UTF-8 with BOM, one row per sample or bucket, a file name', async () => {
    const raw = await get(`/api/v1/points/${LEVEL}/history?from=${T0}&to=${T0 + 2 * MIN}&format=csv`)
    expect(raw.headers.get('content-type')).toBe('text/csv; charset=utf-8')
    expect(raw.headers.get('content-disposition')).toBe(`attachment; filename="${LEVEL}-samples.csv"`)
    expect([...raw.bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]) // the BOM
    expect(raw.text.split('\r\n')).toEqual([
      '\uFEFFts,time,value,quality,reason',
      `${T0},2025-01-31T00:00:00.000Z,5,good,`,
      `${T0 + 30_000},2025-01-31T00:00:30.000Z,,bad,timeout`,
      `${T0 + MIN},2025-01-31T00:01:00.000Z,5.1,good,`,
      `${T0 + 2 * MIN},2025-01-31T00:02:00.000Z,5.2,good,`,
      '',
    ])
    const buckets = await get(`/api/v1/points/${LEVEL}/history?from=${T0}&to=${T0 + 60 * MIN}&step=30m&format=csv`)
    expect(buckets.text.split('\r\n').slice(0, 3)).toEqual([
      '\uFEFFstart,end,count,min,max,avg,last,last_ts,not_good',
      expect.stringMatching(
        /^2025-01-31T00:00:00.000Z,2025-01-31T00:30:00.000Z,30,5,5.9,5.4\d*,5.9,2025-01-31T00:29:00.000Z,1$/,
      ),
      '2025-01-31T00:30:00.000Z,2025-01-31T01:00:00.000Z,0,,,,,,0',
    ])
  })
})
