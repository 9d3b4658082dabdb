import { describe, expect, it } from 'vitest'
import {
  GAP_AFTER_MS,
  alignPens,
  breaks,
  fromInput,
  localInput,
  panRange,
  splitBuckets,
  splitRaw,
  trendCsv,
  zoomRange,
} from './trend-data.ts'

const MIN = 60_000
const s = (ts: number, value: number | string | null, quality = 'good') => ({ ts, value, quality })

describe('gap splitting for the trend', () => {
  it('puts a null between samples further apart than the expected interval, not between closer ones', () => {
    const xy = splitRaw([s(0, 1), s(MIN, 2), s(MIN + GAP_AFTER_MS + 1, 3), s(2 * MIN + GAP_AFTER_MS, 4)])
    expect(xy).toEqual([
      [0, 1],
      [MIN, 2],
      [MIN + 1, null],
      [MIN + GAP_AFTER_MS, null],
      [MIN + GAP_AFTER_MS + 1, 3],
      [2 * MIN + GAP_AFTER_MS, 4],
    ])
    // Exactly the bound apart: no gap (the edge's forced refresh every 5 min is on time).
    expect(splitRaw([s(0, 1), s(GAP_AFTER_MS, 2)]).some(([, v]) => v === null)).toBe(false)
  })

  it('breaks the line where the history records a gap, and at a bad or non-numeric sample', () => {
    const xy = splitRaw([s(0, 1), s(MIN, 2), s(2 * MIN, 9, 'bad'), s(3 * MIN, 'x')], [{ from: 10_000, to: 20_000 }])
    expect(xy).toEqual([
      [0, 1],
      [1, null],
      [MIN - 1, null],
      [MIN, 2],
      [2 * MIN, null],
      [3 * MIN, null],
    ])
    // A gap record outside the samples' interval breaks nothing.
    expect(splitRaw([s(0, 1), s(MIN, 2)], [{ from: 2 * MIN, to: 3 * MIN }])).toHaveLength(2)
  })

  it('counts breaks as runs of nulls', () => {
    expect(
      breaks(splitRaw([s(0, 1), s(GAP_AFTER_MS + 1, 2), s(GAP_AFTER_MS + 2, 3, 'bad'), s(GAP_AFTER_MS + 3, 4)])),
    ).toBe(2)
  })

  it('buckets: points at the middle, null for empty buckets and ones a gap covers', () => {
    const b = (start: number, avg: number | null) => ({ start, end: start + 10 * MIN, avg })
    expect(
      splitBuckets([b(0, 1), b(10 * MIN, null), b(20 * MIN, 3), b(30 * MIN, 4)], [{ from: 19 * MIN, to: 31 * MIN }]),
    ).toEqual([
      [5 * MIN, 1],
      [15 * MIN, null],
      [25 * MIN, null],
      [35 * MIN, 4],
    ])
  })
})

describe('pens on one axis', () => {
  it("joins the times; undefined where a pen has no point, null across a break (over the other pens' times in it)", () => {
    expect(
      alignPens([
        [
          [0, 1],
          [20, null],
          [30, 3],
        ],
        [
          [10, 5],
          [30, 6],
        ],
      ]),
    ).toEqual([
      [0, 10, 20, 30],
      [1, null, null, 3],
      [undefined, 5, undefined, 6],
    ])
  })

  it('exports what is shown as CSV, blank where a pen has no value', () => {
    const csv = trendCsv(
      ['液位 (m)', 'a,b'],
      [
        [0, 1000],
        [1.5, null],
        [undefined, 2],
      ],
      () => '08:00',
    )
    expect(csv).toBe(
      '\uFEFFtime,local_time,液位 (m),"a,b"\n1970-01-01T00:00:00.000Z,08:00,1.5,\n1970-01-01T00:00:01.000Z,08:00,,2\n',
    )
  })

  it('pans by a share of the span and zooms around the middle, never below the minimum span', () => {
    expect(panRange({ from: 0, to: 100 }, 0.5)).toEqual({ from: 50, to: 150 })
    expect(zoomRange({ from: 0, to: 4 * MIN }, 0.5)).toEqual({ from: MIN, to: 3 * MIN })
    expect(zoomRange({ from: 0, to: MIN }, 0.5)).toEqual({ from: 0, to: MIN })
  })
})

describe('the range fields', () => {
  it('read and show Beijing time, 24 h', () => {
    const t = Date.parse('2026-12-06T14:54:00+08:00')
    expect(localInput(t)).toBe('2026-12-06 14:54')
    expect(fromInput('2026-12-06 14:54')).toBe(t)
    expect(fromInput(' 2026-12-06T8:05 ')).toBe(Date.parse('2026-12-06T08:05:00+08:00'))
    expect(fromInput('2:54 PM')).toBeNaN()
  })
})
