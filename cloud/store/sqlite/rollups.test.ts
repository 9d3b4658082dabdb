import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { dropRawSamplesOf } from '../../../test/util/stored-samples.ts'
import { T0, batch, tempStore } from '../../../test/cloud/helpers.ts'
import type { Sample } from '../../../shared/wire/sample.ts'
import { fillBuckets, type Bucket, type BucketPlan } from '../../telemetry/buckets.ts'
import { HOUR, MINUTE, planSources, worthRollups } from '../../telemetry/rollup-plan.ts'
import { openDatabase } from './db.ts'
import { createSampleReader } from './sample-reads.ts'
import { createHistoryOps } from './history.ts'

/**
 * Rollups answer history buckets exactly as the raw samples do (issue 15): count, min, max, last,
 * lastTs and notGood equal; avg within AVG_TOLERANCE of the bucket's largest magnitude (a sum of
 * rollup sums is added in another order than SQLite's AVG over the samples).
 */
const AVG_TOLERANCE = 1e-9

let env: Awaited<ReturnType<typeof tempStore>>
let history: ReturnType<typeof createHistoryOps>
let seq = 0
const ingest = (samples: Sample[]) => env.store.ingestBatch(batch(++seq, samples), { site: 'huaian', receivedAt: T0 })

beforeAll(async () => {
  env = await tempStore()
  // A second connection on the same file: the raw path and the rollup path side by side.
  const db = openDatabase(env.file)
  history = createHistoryOps(
    db,
    createSampleReader(db, () => {}),
  )
})
afterAll(async () => env.dispose())

function expectSameBuckets(got: Bucket[], want: Bucket[]): void {
  expect(got.length).toBe(want.length)
  for (const [k, w] of want.entries()) {
    const g = got[k]!
    const { avg: ga, ...gRest } = g
    const { avg: wa, ...wRest } = w
    expect(gRest).toEqual(wRest)
    if (wa === null) expect(ga).toBeNull()
    else expect(Math.abs(ga! - wa)).toBeLessThanOrEqual(AVG_TOLERANCE * Math.max(1, Math.abs(w.min!), Math.abs(w.max!)))
  }
}

const answers = (point: string, plan: BucketPlan) => ({
  rollups: fillBuckets(plan, history.buckets(point, plan, 'all')),
  raw: fillBuckets(plan, history.rawBuckets(point, plan)),
})

const WINDOW = 8 * HOUR
const value = fc.oneof(
  { weight: 6, arbitrary: fc.double({ min: -1e6, max: 1e6, noNaN: true }) },
  { weight: 1, arbitrary: fc.integer({ min: -5, max: 5 }) },
  { weight: 1, arbitrary: fc.boolean() },
  { weight: 1, arbitrary: fc.constantFrom('running', null) },
)
const quality = fc.constantFrom('good', 'good', 'good', 'good', 'bad', 'uncertain') as fc.Arbitrary<Sample['quality']>
// Distinct times: with two samples at a bucket's newest time the raw path's `last` is either.
const samples = fc.uniqueArray(fc.record({ t: fc.integer({ min: 0, max: WINDOW - 1 }), value, quality }), {
  selector: (s) => s.t,
  minLength: 1,
  maxLength: 150,
})
// Aligned to the hour, to the minute, or anywhere; steps on the hour, on the minute, or any.
const offset = fc.oneof(
  fc.integer({ min: -2, max: 8 }).map((h) => h * HOUR),
  fc.integer({ min: -60, max: 480 }).map((m) => m * MINUTE),
  fc.integer({ min: -HOUR, max: WINDOW }),
)
const step = fc.oneof(
  fc.integer({ min: 1, max: 4 }).map((h) => h * HOUR),
  fc.integer({ min: 1, max: 200 }).map((m) => m * MINUTE),
  fc.integer({ min: 1_000, max: 3 * HOUR }),
)

describe('history buckets from the 1-min and 1-h rollups', () => {
  it('equal the raw path for any samples (late, out of order, any quality) and any plan (property)', async () => {
    let n = 0
    let fromRollups = 0
    await fc.assert(
      fc.asyncProperty(
        samples,
        fc.integer({ min: 1, max: 5 }),
        fc.array(fc.record({ offset, step, span: fc.integer({ min: 1, max: WINDOW + 2 * HOUR }) }), {
          minLength: 1,
          maxLength: 4,
        }),
        async (list, batches, plans) => {
          const point = `shilian.roll.p${++n}`
          const base = T0 + n * 30 * 24 * HOUR
          const all: Sample[] = list.map((s) => ({
            point,
            ts: base + s.t,
            value: s.value,
            quality: s.quality,
            ...(s.quality === 'good' ? {} : { reason: 'timeout' }),
          }))
          // In several batches, each out of time order: rows merge whatever order samples come in.
          for (let b = 0; b < batches; b++) await ingest(all.filter((_, k) => k % batches === b).reverse())
          for (const p of plans) {
            const from = base + p.offset
            const plan = { from, to: from + p.span, step: p.step, count: Math.ceil(p.span / p.step) }
            if (worthRollups(plan, planSources(plan))) fromRollups++
            const { rollups, raw } = answers(point, plan)
            expectSameBuckets(rollups, raw)
          }
        },
      ),
      { numRuns: 60 },
    )
    // The property would hold trivially if every plan went the raw path.
    expect(fromRollups).toBeGreaterThan(30)
  })

  it('answer a long aligned range from the 1-h rows alone (the raw samples deleted, the buckets remain)', async () => {
    const point = 'shilian.roll.long'
    const day = 24 * HOUR
    const from = T0 - 1000 * day
    // One sample every 6 h for 1 000 days, in batches of 100.
    const list = Array.from(
      { length: 4000 },
      (_, k): Sample => ({ point, ts: from + k * 6 * HOUR, value: k % 7, quality: 'good' }),
    )
    for (let k = 0; k < list.length; k += 100) await ingest(list.slice(k, k + 100))
    const plan = { from, to: from + 1000 * day, step: day, count: 1000 }
    expect(planSources(plan).raw).toEqual([])
    const before = answers(point, plan)
    expectSameBuckets(before.rollups, before.raw)
    expect(before.rollups.every((b) => b.count === 4)).toBe(true)
    // Nothing of the answer comes from the samples: it stays once they are gone.
    dropRawSamplesOf(openDatabase(env.file), point)
    expect(fillBuckets(plan, history.buckets(point, plan, 'all'))).toEqual(before.rollups)
    expect(history.rawBuckets(point, plan)).toEqual([])
  })
})
