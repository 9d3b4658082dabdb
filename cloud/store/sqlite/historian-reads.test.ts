import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { LEVEL, NH3, T0, batch, tempStore } from '../../../test/cloud/helpers.ts'
import type { Sample } from '../../../shared/wire/sample.ts'
import { expected, naiveBuckets } from '../../../test/util/naive-history.ts'
import type { HistoryCursor, StoredSample, Store } from '../store.ts'

/**
 * Historian reads across a compaction (issue 15): whatever part of the data is sealed into
 * chunks (none, a prefix, all), raw pages, history, buckets and completeness answer the same,
 * and that answer is the row-per-sample store's: samples by time, ties in arrival order; bucket
 * figures over good numbers (booleans as 1/0), last = the last to arrive of the newest time (as the rollups keep it).
 * A page cursor taken before a compaction continues after it without skipping or repeating.
 */
const HOUR = 3_600_000
const DAY = 24 * HOUR
const POINTS = [LEVEL, NH3] as const

const sampleArb = fc.record({
  point: fc.constantFrom(...POINTS),
  // 20-minute steps over 8 h: ties and several hourly chunks per point.
  step: fc.integer({ min: 0, max: 24 }),
  value: fc.oneof(
    fc.double({ min: -1e6, max: 1e6, noNaN: true }),
    fc.integer({ min: -5, max: 5 }),
    fc.boolean(),
    fc.string({ maxLength: 4 }),
    fc.constant(null),
  ),
  quality: fc.constantFrom('good', 'good', 'uncertain', 'bad') as fc.Arbitrary<Sample['quality']>,
})
const scenarioArb = fc.record({
  batches: fc.array(fc.array(sampleArb, { minLength: 1, maxLength: 12 }), { minLength: 1, maxLength: 8 }),
  /** How many batches (a prefix) the first compaction seals. */
  half: fc.nat(),
  limit: fc.integer({ min: 1, max: 6 }),
  step: fc.integer({ min: 60_000, max: 3 * HOUR }),
})

interface Reads {
  history: StoredSample[][]
  pages: StoredSample[][]
  buckets: unknown[]
  intervals: unknown
}

let env: Awaited<ReturnType<typeof tempStore>>
let store: Store
let run = 0
let seq = 0
beforeAll(async () => {
  env = await tempStore()
  store = env.store
})
afterAll(() => env.dispose())

async function pageAll(
  point: string,
  range: { from: number; to: number },
  limit: number,
  between: () => Promise<void> = async () => {},
) {
  const seen: StoredSample[] = []
  let after: HistoryCursor | undefined
  for (let guard = 0; guard < 1_000; guard++) {
    const page = await store.historyPage(point, { ...range, limit, ...(after ? { after } : {}) }, 'all')
    seen.push(...page.samples)
    if (!page.next) return seen
    after = page.next
    await between()
  }
  throw new Error('paging does not end')
}

async function reads(range: { from: number; to: number }, limit: number, step: number): Promise<Reads> {
  const out: Reads = { history: [], pages: [], buckets: [], intervals: null }
  for (const point of POINTS) {
    out.history.push(await store.history(point, { ...range, limit: limit * 3 }, 'all'))
    out.pages.push(await pageAll(point, range, limit))
    out.buckets.push(await store.historyBuckets(point, { ...range, step }, 'all'))
  }
  out.intervals = await store.completenessIntervals({ ...range, step }, 'all')
  return out
}

describe('historian reads across a compaction (property)', () => {
  it('answer the same before, half way and after, as the row-per-sample store did', async () => {
    await fc.assert(
      fc.asyncProperty(scenarioArb, async (sc) => {
        const base = T0 + ++run * 10 * DAY
        const range = { from: base, to: base + 9 * HOUR }
        const arrived: Sample[] = []
        const receivedAt: number[] = []
        for (const [i, list] of sc.batches.entries()) {
          const samples = list.map((s) => ({
            point: s.point,
            ts: base + s.step * 20 * 60_000,
            value: s.value,
            quality: s.quality,
          }))
          receivedAt.push(base + i)
          await store.ingestBatch(batch(++seq, samples), { site: 'huaian', receivedAt: base + i })
          arrived.push(...samples)
        }
        const before = await reads(range, sc.limit, sc.step)
        POINTS.forEach((point, p) => {
          expect(before.pages[p]).toEqual(expected(arrived, point))
          expect(before.history[p]).toEqual(expected(arrived, point).slice(0, sc.limit * 3))
          const figures = naiveBuckets(expected(arrived, point), { ...range, step: sc.step })
          expect(before.buckets[p]).toHaveLength(figures.length)
          figures.forEach((f, k) => {
            const got = (before.buckets[p] as typeof figures)[k]!
            expect({ ...got, avg: null }).toEqual({ ...f, avg: null })
            if (f.avg !== null) expect(got.avg).toBeCloseTo(f.avg, 3)
          })
        })

        // Half way: a prefix of the batches sealed; a paging started before goes on across it.
        const half = sc.half % (sc.batches.length + 1)
        let compacted = false
        const across = await pageAll(POINTS[0], range, sc.limit, async () => {
          if (compacted) return
          compacted = true
          if (half > 0) await store.compactSamples((receivedAt[half - 1] as number) + 1)
        })
        expect(across).toEqual(before.pages[0])
        if (!compacted && half > 0) await store.compactSamples((receivedAt[half - 1] as number) + 1)
        expect(await reads(range, sc.limit, sc.step)).toEqual(before)

        await store.compactSamples(Number.MAX_SAFE_INTEGER)
        expect(await reads(range, sc.limit, sc.step)).toEqual(before)
      }),
      { numRuns: 30 },
    )
  })
})
