import { describe, expect, it } from 'vitest'
import type { Sample } from '../wire/sample.ts'
import { filterSeries, flushFilter, initialFilterState, offerSample } from './filter.ts'
import { ReportSpec, resolveReport, type ResolvedReport } from './spec.ts'

const T0 = 1_700_000_000_000
const good = (s: number, value: Sample['value']): Sample => ({ point: 'p', ts: T0 + s * 1000, value, quality: 'good' })
const bad = (s: number): Sample => ({ point: 'p', ts: T0 + s * 1000, value: null, quality: 'bad', reason: 'timeout' })

const run = (report: ResolvedReport, samples: Sample[]): number[] =>
  filterSeries(report, samples, { flush: false }).map((k) => (k.ts - T0) / 1000)

const sdt = (band: number, maxSilenceS = 300): ResolvedReport => ({
  mode: 'sdt',
  band,
  maxSilenceMs: maxSilenceS * 1000,
})
const deadband = (band: number, maxSilenceS = 300): ResolvedReport => ({
  mode: 'deadband',
  band,
  maxSilenceMs: maxSilenceS * 1000,
})

describe('report by exception filter', () => {
  it('SDT keeps the ends of a straight ramp and the corner where it turns', () => {
    const ramp = [0, 1, 2, 3, 4, 5, 5, 5, 5].map((v, i) => good(i, v))
    // 0: first; 5 (at t=5) is the corner, kept when t=6 shows the line no longer fits; t=8 is still held.
    expect(run(sdt(0.1), ramp)).toEqual([0, 5])
    let state = initialFilterState()
    for (const s of ramp) state = offerSample(sdt(0.1), state, s).state
    expect(flushFilter(state).keep.map((k) => k.value)).toEqual([5])
  })

  it('deadband keeps only changes larger than the band', () => {
    expect(run(deadband(0.5), [good(0, 10), good(1, 10.4), good(2, 10.5), good(3, 10.6), good(4, 11.2)])).toEqual([
      0, 3, 4,
    ])
  })

  it('a quality transition keeps the last good sample before it and the first sample after it, each way', () => {
    const samples = [good(0, 7), good(1, 7), good(2, 7), bad(3), bad(4), bad(5), good(6, 7), good(7, 7)]
    expect(run(deadband(1), samples)).toEqual([0, 2, 3, 5, 6])
    expect(run(sdt(1), samples)).toEqual([0, 2, 3, 5, 6])
  })

  it('non-numeric values are kept on change; a change of type is a transition too', () => {
    expect(run(deadband(1), [good(0, true), good(1, true), good(2, false), good(3, false), good(4, 'auto')])).toEqual([
      0, 2, 3, 4,
    ])
  })

  it('forced refresh: an unchanged point still reports every maxSilence, with the sample just before the limit', () => {
    const flat = Array.from({ length: 13 }, (_, i) => good(i * 60, 5))
    expect(run(deadband(1, 300), flat)).toEqual([0, 300, 600])
    expect(run(sdt(1, 300), flat)).toEqual([0, 300, 600])
  })

  it('a sample not newer than the last seen passes through, and mode "all" keeps everything', () => {
    expect(run(deadband(1), [good(5, 1), good(6, 1), good(3, 1)])).toEqual([5, 3])
    expect(run({ mode: 'all', band: 0, maxSilenceMs: 300_000 }, [good(0, 1), good(1, 1)])).toEqual([0, 1])
  })
})

describe('report spec', () => {
  it("resolves percent of the range, its own or the source's", () => {
    expect(resolveReport(ReportSpec.parse({ sdt: { deviationPct: 0.5 } }), { low: 0, high: 12 })).toEqual({
      ok: true,
      report: { mode: 'sdt', band: 0.06, maxSilenceMs: 300_000 },
    })
    expect(
      resolveReport(ReportSpec.parse({ deadband: { pct: 1 }, range: { low: -50, high: 50 }, maxSilenceS: 60 })),
    ).toEqual({ ok: true, report: { mode: 'deadband', band: 1, maxSilenceMs: 60_000 } })
    expect(resolveReport(ReportSpec.parse({}))).toMatchObject({ ok: true, report: { mode: 'all' } })
  })

  it('refuses a percent without a range, and deadband together with sdt', () => {
    expect(resolveReport(ReportSpec.parse({ deadband: { pct: 1 } }))).toMatchObject({
      ok: false,
      problem: expect.stringMatching(/range/),
    })
    expect(ReportSpec.safeParse({ deadband: { abs: 1 }, sdt: { deviation: 1 } }).success).toBe(false)
  })
})
