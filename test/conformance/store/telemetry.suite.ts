import fc from 'fast-check'
import { afterEach, beforeEach, describe, expect } from 'vitest'
import type { CorruptPart } from '../../../cloud/store/historian/corrupt.ts'
import type { RegistryRepo } from '../../../cloud/store/repos/registry.ts'
import type { HistoryCursor, StoredSample, TelemetryRepo } from '../../../cloud/store/repos/telemetry.ts'
import type { BucketRow } from '../../../cloud/telemetry/buckets.ts'
import { planSources, worthRollups } from '../../../cloud/telemetry/rollup-plan.ts'
import type { Sample } from '../../../shared/wire/sample.ts'
import { expected, naiveBuckets } from '../../util/naive-history.ts'
import { LEVEL, PRESSURE, type RepoFactoryOptions, type RepoHandle, registry, sectionTest, T0 } from './fixtures.ts'

/** What the telemetry section needs: the telemetry reads and compaction, and the registry to scope them. */
export type TelemetryRepos = TelemetryRepo & Pick<RegistryRepo, 'applyRegistry'>

export interface TelemetryHandle extends RepoHandle<TelemetryRepos> {
  /** Stores one batch's samples as ingest leaves them (the engine's ingest, or a test fixture where it is still to come). */
  putSamples(batch: { seq: number; receivedAt: number }, samples: Sample[]): Promise<void>
  /** Flips a byte in the point's sealed chunk of the hour starting at `hour` (disk damage). */
  damageChunk(point: string, hour: number): Promise<void>
}

export interface TelemetrySectionOptions {
  name: string
  newRepos: (options: RepoFactoryOptions) => Promise<TelemetryHandle>
  skip?: string[]
}

const HOUR = 3_600_000
const MINUTE = 60_000
const SHILIAN = { enterprise: 'shilian' }
const good = (point: string, ts: number, value: Sample['value']): Sample => ({ point, ts, value, quality: 'good' })

const ordered = expected

/** Equal figures; avg within 1e-9 of the bucket's magnitude (rollup sums add in another order). */
function expectSameBuckets(got: readonly BucketRow[], want: ReturnType<typeof naiveBuckets>): void {
  expect(got.map(({ avg: _, ...r }) => r)).toEqual(want.map(({ avg: _, ...r }) => r))
  for (const [k, w] of want.entries()) {
    const g = got[k]?.avg ?? null
    if (w.avg === null) expect(g).toBeNull()
    else
      expect(Math.abs((g as number) - w.avg)).toBeLessThanOrEqual(
        1e-9 * Math.max(1, Math.abs(w.min ?? 0), Math.abs(w.max ?? 0)),
      )
  }
}

/** TelemetryRepo (cloud/store/repos/telemetry.ts) over the historian, as executable tests. */
export function runTelemetryTests(options: TelemetrySectionOptions): void {
  const test = sectionTest(options.skip)
  describe(`Store conformance: ${options.name} — telemetry`, () => {
    let handle: TelemetryHandle
    let repos: TelemetryRepos
    let damage: CorruptPart[]
    let seq = 0
    beforeEach(async () => {
      seq = 0
      damage = []
      handle = await options.newRepos({ onCorrupt: (part) => damage.push(part) })
      repos = handle.repos
      await repos.applyRegistry(registry)
    })
    afterEach(() => handle.dispose())
    const put = (samples: Sample[], receivedAt = T0) => handle.putSamples({ seq: ++seq, receivedAt }, samples)

    async function pageAll(
      point: string,
      range: { from: number; to: number },
      limit: number,
      between = async () => {},
    ) {
      const seen: StoredSample[] = []
      let after: HistoryCursor | undefined
      for (let guard = 0; guard < 1_000; guard++) {
        const page = await repos.historyPage(point, { ...range, limit, ...(after ? { after } : {}) }, 'all')
        seen.push(...page.samples)
        if (!page.next) return seen
        after = page.next
        await between()
      }
      throw new Error('paging does not end')
    }

    test("telemetry: scope — another enterprise's point does not exist; the latest value is the newest sample", async () => {
      await put([good(LEVEL, T0, 5), good(PRESSURE, T0, 0.5), good(LEVEL, T0 + 1000, 6)])
      expect((await repos.listPoints({ scope: SHILIAN })).map((p) => p.id)).toEqual([LEVEL])
      expect((await repos.listPoints({ scope: 'all' })).map((p) => p.id)).toEqual([PRESSURE, LEVEL].sort())
      expect(await repos.getPoint(PRESSURE, SHILIAN)).toBeNull()
      expect(await repos.getPoint(LEVEL, SHILIAN)).toMatchObject({
        id: LEVEL,
        enterprise: 'shilian',
        registered: true,
        latest: { ts: T0 + 1000, value: 6, quality: 'good' },
      })
      const range = { from: T0, to: T0 + HOUR }
      expect(await repos.history(PRESSURE, { ...range, limit: 10 }, SHILIAN)).toEqual([])
      expect(await repos.historyPage(PRESSURE, { ...range, limit: 10 }, SHILIAN)).toEqual({ samples: [], next: null })
      expect(await repos.historyBuckets(PRESSURE, { ...range, step: MINUTE }, SHILIAN)).toEqual([])
      expect((await repos.completenessIntervals({ ...range, step: MINUTE }, SHILIAN)).map((p) => p.point)).toEqual([
        LEVEL,
      ])
      expect((await repos.history(PRESSURE, { ...range, limit: 10 }, 'all')).map((s) => s.value)).toEqual([0.5])
      const candidates = (await repos.commLossCandidates()).sort((a, b) => (a.id < b.id ? -1 : 1))
      expect(candidates.map((c) => [c.id, c.lastGoodTs])).toEqual([
        [PRESSURE, T0],
        [LEVEL, T0 + 1000],
      ])
    })

    test('telemetry: listPoints answers each point as getPoint does, every field decoded (issue 15: read as arrays)', async () => {
      const text = 'shilian.u1.mode'
      const flag = 'shilian.u1.running'
      await put([
        good(LEVEL, T0, 5.125),
        { point: PRESSURE, ts: T0, value: null, quality: 'bad', reason: 'timeout:no answer' },
        good(text, T0 + 1, 'auto'),
        good(flag, T0 + 2, false),
      ])
      const listed = await repos.listPoints({ scope: 'all' })
      expect(listed.map((p) => p.id)).toEqual([flag, text, PRESSURE, LEVEL].sort())
      for (const point of listed) expect(point).toEqual(await repos.getPoint(point.id, 'all'))
      const byId = new Map(listed.map((p) => [p.id, p]))
      expect(byId.get(LEVEL)).toMatchObject({
        registered: true,
        limits: { hh: 10.5, h: 9.5, l: 2, ll: 1, deadband: 0.1 },
        limitsFrom: 'registry',
        range: null,
        sourceLimits: null,
        latest: { ts: T0, value: 5.125, quality: 'good' },
      })
      expect(byId.get(PRESSURE)?.latest).toEqual({ ts: T0, value: null, quality: 'bad', reason: 'timeout:no answer' })
      expect(byId.get(text)).toMatchObject({ registered: false, limits: null, latest: { ts: T0 + 1, value: 'auto' } })
      expect(byId.get(flag)?.latest).toEqual({ ts: T0 + 2, value: false, quality: 'good' })
    })

    test('telemetry: history ascending, at most the limit; pages with a cursor valid across a compaction', async () => {
      // Ties in two batches: their order is the arrival order, before and after sealing.
      const first = [3, 1, 2, 2, 0].map((k, n) => good(LEVEL, T0 + k * 20 * MINUTE, n))
      const second = [2, 4, 1, 2].map((k, n) => good(LEVEL, T0 + k * 20 * MINUTE, 10 + n))
      await put(first, T0 + 5 * HOUR)
      await put(second, T0 + 6 * HOUR)
      const want = ordered([...first, ...second], LEVEL)
      const range = { from: T0, to: T0 + 3 * HOUR }
      expect(await repos.history(LEVEL, { ...range, limit: 100 }, 'all')).toEqual(want)
      expect(await repos.history(LEVEL, { ...range, limit: 4 }, 'all')).toEqual(want.slice(0, 4))
      expect(await pageAll(LEVEL, range, 2)).toEqual(want)
      // Compacting between pages (first the older batch, then the rest) neither skips nor repeats.
      let round = 0
      const compactBetween = async () => {
        round++
        if (round === 1) await repos.compactSamples(T0 + 5 * HOUR + 1)
        if (round === 3) await repos.compactSamples(T0 + 7 * HOUR)
      }
      expect(await pageAll(LEVEL, range, 2, compactBetween)).toEqual(want)
      expect(await repos.history(LEVEL, { ...range, limit: 100 }, 'all')).toEqual(want)
    })

    test('telemetry: pages over many sealed hours and years of nothing: every sample once, in order', async () => {
      // 130 hours with a sample each (more chunks than an engine may fetch at once), a year apart from a
      // second run of 3: a page read walks chunks, not the empty time between them.
      const early = Array.from({ length: 130 }, (_, k) => good(LEVEL, T0 + k * HOUR + k, k))
      const late = [0, 1, 2].map((k) => good(LEVEL, T0 + 365 * 24 * HOUR + k * HOUR, 1_000 + k))
      await put(early, T0 + 131 * HOUR)
      await put(late, T0 + 366 * 24 * HOUR)
      await repos.compactSamples(T0 + 367 * 24 * HOUR)
      const want = ordered([...early, ...late], LEVEL)
      const range = { from: 0, to: T0 + 400 * 24 * HOUR }
      expect(await repos.history(LEVEL, { ...range, limit: 1_000 }, 'all')).toEqual(want)
      expect(await pageAll(LEVEL, range, 7)).toEqual(want)
      expect(await pageAll(LEVEL, range, 60)).toEqual(want)
    })

    test('telemetry: buckets from the rollups equal the raw figures for any samples and plans (property)', async () => {
      let n = 0
      let fromRollups = 0
      const value = fc.oneof(
        { weight: 6, arbitrary: fc.double({ min: -1e6, max: 1e6, noNaN: true, noDefaultInfinity: true }) },
        { weight: 1, arbitrary: fc.boolean() },
        { weight: 1, arbitrary: fc.constantFrom('running', null) },
      )
      const quality = fc.constantFrom('good', 'good', 'good', 'bad') as fc.Arbitrary<Sample['quality']>
      const samples = fc.uniqueArray(fc.record({ t: fc.integer({ min: 0, max: 4 * HOUR - 1 }), value, quality }), {
        selector: (s) => s.t,
        minLength: 1,
        maxLength: 60,
      })
      const plan = fc.record({
        offset: fc.oneof(
          fc.integer({ min: -1, max: 3 }).map((h) => h * HOUR),
          fc.integer({ min: -30, max: 200 }).map((m) => m * MINUTE),
        ),
        step: fc.oneof(
          fc.integer({ min: 1, max: 2 }).map((h) => h * HOUR),
          fc.integer({ min: 1, max: 90 }).map((m) => m * MINUTE),
          fc.integer({ min: 1_000, max: HOUR }),
        ),
        span: fc.integer({ min: MINUTE, max: 5 * HOUR }),
      })
      await fc.assert(
        fc.asyncProperty(samples, fc.array(plan, { minLength: 1, maxLength: 3 }), async (list, plans) => {
          const point = `shilian.roll.p${++n}`
          const base = T0 + n * 24 * HOUR
          const all = list.map((s) => ({ point, ts: base + s.t, value: s.value, quality: s.quality }))
          // Two batches, each out of time order; the first sealed into chunks.
          await put(all.filter((_, k) => k % 2 === 0).reverse(), base)
          await repos.compactSamples(base + 1)
          await put(all.filter((_, k) => k % 2 === 1).reverse(), base + 1)
          for (const p of plans) {
            const from = base + p.offset
            const bucketPlan = { from, to: from + p.span, step: p.step }
            if (worthRollups(bucketPlan, planSources(bucketPlan))) fromRollups++
            const got = await repos.historyBuckets(point, bucketPlan, 'all')
            expectSameBuckets(got, naiveBuckets(ordered(all, point), bucketPlan))
          }
        }),
        { numRuns: 15 },
      )
      // The property would hold trivially if every plan went the raw path.
      expect(fromRollups).toBeGreaterThan(3)
    })

    test('telemetry: completeness counts the intervals with a good sample, and whether the last had one', async () => {
      await put([
        good(LEVEL, T0 + 10, 1),
        good(LEVEL, T0 + MINUTE + 5, 2),
        { point: LEVEL, ts: T0 + 2 * MINUTE + 5, value: 3, quality: 'bad', reason: 'timeout' },
        good(PRESSURE, T0 + 3 * MINUTE + 1, 0.5),
      ])
      const rows = await repos.completenessIntervals({ from: T0, to: T0 + 4 * MINUTE, step: MINUTE }, 'all')
      expect(rows.sort((a, b) => (a.point < b.point ? -1 : 1))).toEqual([
        { point: PRESSURE, enterprise: 'fuqiang', received: 1, recent: true },
        { point: LEVEL, enterprise: 'shilian', received: 2, recent: false },
      ])
    })

    test('telemetry: a damaged chunk is reported by point and time range and skipped; every read answers the rest', async () => {
      const samples = Array.from({ length: 18 }, (_, i) => good(LEVEL, T0 + i * 10 * MINUTE, i))
      await put(samples, T0 + 3 * HOUR)
      // (A runner that compacts as it stores has sealed them already.)
      expect(await repos.compactSamples(T0 + 4 * HOUR)).toMatchObject({ corrupt: 0 })
      await handle.damageChunk(LEVEL, T0 + HOUR)
      const range = { from: T0, to: T0 + 3 * HOUR }
      const values = (await repos.history(LEVEL, { ...range, limit: 100 }, 'all')).map((s) => s.value)
      expect(values).toEqual([0, 1, 2, 3, 4, 5, 12, 13, 14, 15, 16, 17])
      expect(damage[0]).toMatchObject({ kind: 'chunk', point: LEVEL, from: T0 + HOUR, to: T0 + HOUR + 50 * MINUTE })
      expect((await pageAll(LEVEL, range, 5)).map((s) => s.value)).toEqual(values)
      // Whole hours come from the 1-h rollups, which the damage did not touch.
      const hourly = await repos.historyBuckets(LEVEL, { ...range, step: HOUR }, 'all')
      expect(hourly.map((b) => [b.i, b.count])).toEqual([
        [0, 6],
        [1, 6],
        [2, 6],
      ])
      // A plan of partial minutes (90 s) is answered from the samples: the damaged hour's are skipped.
      const raw = await repos.historyBuckets(LEVEL, { ...range, step: 90_000 }, 'all')
      expect(raw.reduce((n, b) => n + b.count, 0)).toBe(12)
      const [level] = (await repos.completenessIntervals({ ...range, step: HOUR }, SHILIAN)) ?? []
      expect(level).toMatchObject({ point: LEVEL, received: 2, recent: true })
      // A new batch in the damaged hour seals beside the damaged chunk, not over it.
      await put([good(LEVEL, T0 + HOUR + 5 * MINUTE, 99)], T0 + 4 * HOUR)
      await repos.compactSamples(T0 + 5 * HOUR)
      expect((await repos.history(LEVEL, { ...range, limit: 100 }, 'all')).map((s) => s.value)).toContain(99)
    })

    test('telemetry: compaction is idempotent — the same answers before, after and after again', async () => {
      const all: Sample[] = []
      for (let b = 0; b < 4; b++) {
        const list = Array.from({ length: 30 }, (_, k) =>
          good(LEVEL, T0 + ((k * 7 + b * 13) % 180) * MINUTE, k % 5 === 0 ? true : b * 100 + k),
        )
        all.push(...list)
        await put(list, T0 + b)
      }
      const range = { from: T0, to: T0 + 3 * HOUR }
      const reads = async () => ({
        history: await repos.history(LEVEL, { ...range, limit: 1000 }, 'all'),
        pages: await pageAll(LEVEL, range, 7),
        minutes: await repos.historyBuckets(LEVEL, { ...range, step: 90_000 }, 'all'),
        hours: await repos.historyBuckets(LEVEL, { ...range, step: HOUR }, 'all'),
        intervals: await repos.completenessIntervals({ ...range, step: 10 * MINUTE }, 'all'),
      })
      const before = await reads()
      expect(before.history).toEqual(ordered(all, LEVEL))
      // The older half, then the rest (a runner that compacts as it stores has sealed them already).
      expect((await repos.compactSamples(T0 + 2)).samples % 30).toBe(0)
      expect(await reads()).toEqual(before)
      expect((await repos.compactSamples(T0 + 10)).samples % 30).toBe(0)
      expect(await reads()).toEqual(before)
      expect(await repos.compactSamples(T0 + 10)).toEqual({ blocks: 0, samples: 0, chunks: 0, corrupt: 0 })
      expect(await reads()).toEqual(before)
      expect(damage).toEqual([])
    })
  })
}
