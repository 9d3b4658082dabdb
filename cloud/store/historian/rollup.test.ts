import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import type { ChunkSample } from './codec.ts'
import { bucketsFromRollups, canAnswer, coarsen, rollupSamples, ROLLUP_WIDTHS } from './rollup.ts'

const MIN = ROLLUP_WIDTHS['1m']
const HOUR = ROLLUP_WIDTHS['1h']

const sample = fc.record({
  ts: fc.integer({ min: 0, max: 6 * HOUR }),
  value: fc.oneof(fc.integer({ min: -1000, max: 1000 }), fc.boolean(), fc.constant(null), fc.constant('RUN')),
  quality: fc.constantFrom('good', 'good', 'good', 'bad', 'uncertain'),
}) as fc.Arbitrary<ChunkSample>

/** The raw answer, computed the plain way (the referee): one pass per bucket over the samples. */
function rawBuckets(samples: readonly ChunkSample[], plan: { from: number; to: number; step: number }) {
  const rows = []
  for (let i = 0; plan.from + i * plan.step < plan.to; i++) {
    const start = plan.from + i * plan.step
    const inside = samples.filter((s) => s.ts >= start && s.ts < Math.min(start + plan.step, plan.to))
    if (inside.length === 0) continue
    const good = inside.filter((s) => s.quality === 'good' && s.value !== null && typeof s.value !== 'string')
    const nums = good.map((s) => Number(s.value))
    const lastTs = Math.max(...good.map((s) => s.ts))
    rows.push({
      i,
      count: good.length,
      min: good.length ? Math.min(...nums) : Number.NaN,
      max: good.length ? Math.max(...nums) : Number.NaN,
      avg: good.length ? nums.reduce((a, b) => a + b, 0) / nums.length : Number.NaN,
      lastTs: good.length ? lastTs : Number.NaN,
      notGood: inside.length - inside.filter((s) => s.quality === 'good').length,
    })
  }
  return rows
}

describe('historian rollups', () => {
  it('answer aligned bucket plans exactly as the raw samples do (1 min and 1 h, merged up)', () => {
    fc.assert(
      fc.property(
        fc.array(sample, { maxLength: 300 }),
        fc.constantFrom(MIN, 5 * MIN, HOUR, 2 * HOUR),
        fc.integer({ min: 0, max: 3 }),
        (samples, step, offsetHours) => {
          const plan = { from: offsetHours * HOUR, to: 6 * HOUR, step }
          const minutes = rollupSamples(samples, MIN)
          const rollups = step % HOUR === 0 ? coarsen(minutes, HOUR) : minutes
          const got = bucketsFromRollups(rollups, plan).filter((r) => r.count > 0 || r.notGood > 0)
          // A bucket of only good text samples has no figures: the same as no row (fillBuckets).
          const want = rawBuckets(samples, plan).filter((r) => r.count > 0 || r.notGood > 0)
          expect(got.map(({ last: _, ...r }) => r)).toEqual(want)
        },
      ),
      { numRuns: 200 },
    )
  })

  it('takes the last value from the newest good sample', () => {
    const [r] = rollupSamples(
      [
        { ts: 30_000, value: 2, quality: 'good' },
        { ts: 10_000, value: 1, quality: 'good' },
        { ts: 50_000, value: 9, quality: 'bad' },
      ],
      MIN,
    )
    expect(r).toMatchObject({ count: 2, last: 2, lastTs: 30_000, notGood: 1, min: 1, max: 2, sum: 3 })
  })

  it('answers only plans aligned to its width', () => {
    expect(canAnswer({ from: 3 * HOUR, step: HOUR }, HOUR)).toBe(true)
    expect(canAnswer({ from: 3 * HOUR + 1, step: HOUR }, HOUR)).toBe(false)
    expect(canAnswer({ from: 0, step: 90 * MIN }, HOUR)).toBe(false)
  })
})
