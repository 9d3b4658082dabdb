import { describe, expect, it } from 'vitest'
import { fillBuckets, parseStep, planBuckets } from './buckets.ts'
import { toCsv } from './csv.ts'

describe('history buckets (pure)', () => {
  it.each([
    ['5m', 300_000],
    ['30s', 30_000],
    ['1h', 3_600_000],
    ['1d', 86_400_000],
    ['250', 250],
    ['250ms', 250],
    ['0', null],
    ['5 m', null],
    ['-1m', null],
    ['1w', null],
  ] as const)('step %j → %j', (text, ms) => {
    expect(parseStep(text)).toBe(ms)
  })

  it('plans by width or by count; the last bucket is cut at `to`', () => {
    expect(planBuckets({ from: 0, to: 3_600_000, step: 300_000 })).toEqual({
      from: 0,
      to: 3_600_000,
      step: 300_000,
      count: 12,
    })
    expect(planBuckets({ from: 0, to: 1_000, buckets: 3 })).toEqual({ from: 0, to: 1_000, step: 334, count: 3 })
    expect(planBuckets({ from: 0, to: 1_000, step: 300 })).toMatchObject({ count: 4 })
    expect(fillBuckets(planBuckets({ from: 0, to: 1_000, step: 300 }) as any, []).map((b) => [b.start, b.end])).toEqual(
      [
        [0, 300],
        [300, 600],
        [600, 900],
        [900, 1_000],
      ],
    )
  })

  it.each([
    [{ from: 10, to: 10, step: 1 }, /before/],
    [{ from: 0, to: 10 }, /either step or buckets/],
    [{ from: 0, to: 10, step: 1, buckets: 2 }, /either step or buckets/],
    [{ from: 0, to: 2 * 86_400_000, step: 1_000 }, /172800 buckets.*at most 100000/],
  ])('refuses %j', (o, message) => {
    expect((planBuckets(o) as { problem: string }).problem).toMatch(message)
  })

  it('plans three years by the day or by the hour (answered from the rollups)', () => {
    const threeYears = 1096 * 86_400_000
    expect(planBuckets({ from: 0, to: threeYears, step: 86_400_000 })).toMatchObject({ count: 1096 })
    expect(planBuckets({ from: 0, to: threeYears, step: 3_600_000 })).toMatchObject({ count: 26_304 })
  })

  it('every bucket is present: a bucket without samples is a gap (count 0, figures null)', () => {
    const plan = { from: 0, to: 300, step: 100, count: 3 }
    const filled = fillBuckets(plan, [
      { i: 0, count: 2, min: 1, max: 3, avg: 2, last: 3, lastTs: 90, notGood: 0 },
      { i: 2, count: 0, notGood: 4 },
    ])
    expect(filled).toEqual([
      { start: 0, end: 100, count: 2, min: 1, max: 3, avg: 2, last: 3, lastTs: 90, notGood: 0 },
      { start: 100, end: 200, count: 0, min: null, max: null, avg: null, last: null, lastTs: null, notGood: 0 },
      { start: 200, end: 300, count: 0, min: null, max: null, avg: null, last: null, lastTs: null, notGood: 4 },
    ])
  })
})

describe('CSV', () => {
  it('BOM, CRLF, quoting, and no formulas from text cells', () => {
    expect(
      toCsv(
        ['时间', 'value', 'reason'],
        [
          [1, 2.5, null],
          [2, -3, 'a,"b"'],
          [3, true, '=HYPERLINK("x")'],
        ],
      ),
    ).toBe('\uFEFF时间,value,reason\r\n1,2.5,\r\n2,-3,"a,""b"""\r\n3,true,"\'=HYPERLINK(""x"")"\r\n')
  })
})
