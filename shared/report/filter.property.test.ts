import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import type { Sample } from '../wire/sample.ts'
import { filterSeries } from './filter.ts'
import type { ResolvedReport } from './spec.ts'

/**
 * Properties of report by exception over arbitrary signals (fast-check): what the filter keeps
 * must let the park reconstruct what it dropped.
 */
const T0 = 1_700_000_000_000

/** A live good numeric signal: strictly increasing times (steps ≤ maxStepMs), any values. */
const signal = (maxStepMs: number) =>
  fc
    .array(
      fc.tuple(
        fc.integer({ min: 1, max: maxStepMs }),
        fc.double({ min: -1e4, max: 1e4, noNaN: true, noDefaultInfinity: true }),
      ),
      { minLength: 1, maxLength: 300 },
    )
    .map((steps) => {
      let ts = T0
      return steps.map(([dt, value]): Sample => ({ point: 'p', ts: (ts += dt), value, quality: 'good' }))
    })

/** A smoother signal (a random walk), where compression actually drops samples. */
const walk = (maxStepMs: number) =>
  fc
    .array(fc.tuple(fc.integer({ min: 1, max: maxStepMs }), fc.double({ min: -1, max: 1, noNaN: true })), {
      minLength: 1,
      maxLength: 300,
    })
    .map((steps) => {
      let ts = T0
      let v = 50
      return steps.map(([dt, dv]): Sample => ({ point: 'p', ts: (ts += dt), value: (v += dv), quality: 'good' }))
    })

const run = (report: ResolvedReport, samples: readonly Sample[]) => filterSeries(report, samples, { flush: true })

const value = (s: Sample) => s.value as number
const slack = (...xs: number[]) => 1e-9 * (1 + Math.max(...xs.map(Math.abs)))

describe('report by exception: properties', () => {
  it('SDT: linear interpolation between kept samples is within the deviation of every dropped sample', () => {
    fc.assert(
      fc.property(
        fc.oneof(signal(5_000), walk(2_000)),
        fc.double({ min: 0.001, max: 50, noNaN: true }),
        (samples, deviation) => {
          const kept = run({ mode: 'sdt', band: deviation, maxSilenceMs: 300_000 }, samples)
          // Kept samples are real samples, in time order, the first and the last among them.
          expect(kept.every((k) => samples.includes(k))).toBe(true)
          expect(kept[0]).toBe(samples[0])
          expect(kept.at(-1)).toBe(samples.at(-1))
          let k = 0
          for (const s of samples) {
            while (kept[k + 1] && kept[k + 1]!.ts <= s.ts) k++
            const a = kept[k]!
            const b = kept[k + 1]
            if (s === a || !b) continue
            const interpolated = value(a) + ((value(b) - value(a)) * (s.ts - a.ts)) / (b.ts - a.ts)
            expect(Math.abs(interpolated - value(s))).toBeLessThanOrEqual(
              deviation + slack(value(a), value(b), value(s), deviation),
            )
          }
        },
      ),
      { numRuns: 300 },
    )
  })

  it('deadband: a dropped sample never differs from the last kept one by more than the band', () => {
    fc.assert(
      fc.property(
        fc.oneof(signal(5_000), walk(2_000)),
        fc.double({ min: 0, max: 20, noNaN: true }),
        (samples, band) => {
          const kept = new Set(run({ mode: 'deadband', band, maxSilenceMs: 300_000 }, samples))
          let last: Sample | null = null
          for (const s of samples) {
            if (kept.has(s)) last = s
            else expect(Math.abs(value(s) - value(last!))).toBeLessThanOrEqual(band)
          }
        },
      ),
      { numRuns: 300 },
    )
  })

  it('forced refresh: a live point is never silent longer than maxSilence, whatever the mode', () => {
    const modes = fc.constantFrom<ResolvedReport['mode']>('deadband', 'sdt')
    fc.assert(
      fc.property(
        walk(20_000),
        modes,
        fc.double({ min: 0.01, max: 100, noNaN: true }),
        fc.integer({ min: 20_000, max: 300_000 }),
        (samples, mode, band, maxSilenceMs) => {
          // Live: the source delivers at least every maxSilenceMs (walk steps are ≤ 20 s).
          const kept = run({ mode, band, maxSilenceMs }, samples)
          for (let i = 1; i < kept.length; i++) expect(kept[i]!.ts - kept[i - 1]!.ts).toBeLessThanOrEqual(maxSilenceMs)
        },
      ),
      { numRuns: 300 },
    )
  })
})
