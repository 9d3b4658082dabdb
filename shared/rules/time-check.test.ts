import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import type { Sample } from '../wire/sample.ts'
import { Sample as SampleSchema } from '../wire/sample.ts'
import { TimeWindow, applyTimeCheck, checkSamples, checkTime, formatSpan, isClockSkewed } from './time-check.ts'

/** Properties of the time check over arbitrary times and windows (fast-check). */
const NOW = Date.UTC(2026, 11, 6)
const window = fc.record({
  aheadMs: fc.integer({ min: 0, max: 10 * 86_400_000 }),
  behindMs: fc.option(fc.integer({ min: 0, max: 400 * 86_400_000 }), { nil: undefined }),
})
const offset = fc.integer({ min: -500 * 86_400_000, max: 500 * 86_400_000 })
const sample = fc.record({
  point: fc.constant('p.1'),
  ts: fc.constant(0),
  value: fc.oneof(fc.double({ noNaN: true, noDefaultInfinity: true }), fc.constant(null)),
  quality: fc.constantFrom('good' as const, 'uncertain' as const, 'bad' as const),
  reason: fc.option(fc.string({ maxLength: 256 }), { nil: undefined }),
})

describe('checkTime', () => {
  it('is ok exactly inside [receivedAt − behind, receivedAt + ahead]', () => {
    fc.assert(
      fc.property(window, offset, (w, d) => {
        const v = checkTime(NOW + d, NOW, w)
        const inside = d <= w.aheadMs && (w.behindMs === undefined || -d <= w.behindMs)
        expect(v.ok).toBe(inside)
        if (!v.ok) {
          expect(v.direction).toBe(d > 0 ? 'ahead' : 'behind')
          expect(v.byMs).toBe(Math.abs(d))
          expect(v.reason).toMatch(/^clock_skew:(ahead|behind):\d+[smhd]$/)
        }
      }),
    )
  })

  it("has the issue's defaults: 5 min ahead, nothing behind unless maxAgeH is given", () => {
    const w = TimeWindow.parse({})
    expect(checkTime(NOW + 300_000, NOW, w).ok).toBe(true)
    expect(checkTime(NOW + 300_001, NOW, w)).toMatchObject({ ok: false, direction: 'ahead' })
    expect(checkTime(NOW - 365 * 86_400_000, NOW, w).ok).toBe(true)
    expect(checkTime(NOW + 48 * 3_600_000, NOW, w)).toMatchObject({ reason: 'clock_skew:ahead:48h' })
    expect(checkTime(NOW - 73 * 3_600_000, NOW, { ...w, behindMs: 72 * 3_600_000 })).toMatchObject({
      reason: 'clock_skew:behind:3d',
    })
  })
})

describe('applyTimeCheck', () => {
  it('never drops or alters value, point or time; marks only outside the window; the result is a valid wire sample', () => {
    fc.assert(
      fc.property(window, offset, sample, (w, d, s0) => {
        const s: Sample = { ...s0, ts: NOW + d }
        const { sample: out, verdict } = applyTimeCheck(s, NOW, w)
        expect(out.point).toBe(s.point)
        expect(out.ts).toBe(s.ts)
        expect(out.value).toBe(s.value)
        expect(SampleSchema.safeParse(out).success).toBe(true)
        if (verdict.ok) expect(out).toBe(s)
        else {
          expect(isClockSkewed(out)).toBe(true)
          // Never better than it was: good → uncertain, bad stays bad.
          expect(out.quality).toBe(s.quality === 'bad' ? 'bad' : 'uncertain')
        }
      }),
    )
  })

  it('is idempotent: a second receiver does not mark a marked sample again', () => {
    fc.assert(
      fc.property(window, offset, sample, offset, (w, d, s0, d2) => {
        const once = applyTimeCheck({ ...s0, ts: NOW + d }, NOW, w).sample
        const twice = applyTimeCheck(once, NOW + d2, w)
        if (isClockSkewed(once)) expect(twice.sample).toBe(once)
      }),
    )
  })

  it('keeps the reason a sample had after the skew', () => {
    const out = applyTimeCheck(
      { point: 'p.1', ts: NOW + 86_400_000, value: null, quality: 'bad', reason: 'timeout' },
      NOW,
      TimeWindow.parse({}),
    ).sample
    expect(out).toMatchObject({ quality: 'bad', reason: 'clock_skew:ahead:24h;timeout' })
  })
})

describe('checkSamples', () => {
  it('counts what it marked by direction', () => {
    fc.assert(
      fc.property(window, fc.array(offset, { maxLength: 30 }), (w, ds) => {
        const { samples, skewed } = checkSamples(
          ds.map((d) => ({ point: 'p.1', ts: NOW + d, value: 1, quality: 'good' as const })),
          NOW,
          w,
        )
        expect(samples).toHaveLength(ds.length)
        expect(skewed.ahead).toBe(samples.filter((s) => s.reason?.startsWith('clock_skew:ahead:')).length)
        expect(skewed.behind).toBe(samples.filter((s) => s.reason?.startsWith('clock_skew:behind:')).length)
      }),
    )
  })

  it('formats spans for people', () => {
    expect([formatSpan(90_000), formatSpan(48 * 3_600_000), formatSpan(365 * 86_400_000)]).toEqual([
      '90s',
      '48h',
      '365d',
    ])
  })
})
