import { describe, expect, it } from 'vitest'
import { createLatestValues } from './latest-values.ts'

describe('latest values', () => {
  it('keeps the newest sample per point and the last good value beside a bad one', () => {
    const latest = createLatestValues()
    latest.update('plc', [
      { point: 'b', ts: 10, value: 1.5, quality: 'good' },
      { point: 'a', ts: 10, value: true, quality: 'good' },
    ])
    latest.update('plc', [{ point: 'b', ts: 20, value: null, quality: 'bad', reason: 'timeout' }])
    latest.update('plc', [{ point: 'a', ts: 5, value: false, quality: 'good' }]) // older: ignored
    expect(latest.list()).toEqual([
      { point: 'a', device: 'plc', ts: 10, value: true, quality: 'good', lastGoodTs: 10, lastGoodValue: true },
      {
        point: 'b',
        device: 'plc',
        ts: 20,
        value: null,
        quality: 'bad',
        reason: 'timeout',
        lastGoodTs: 10,
        lastGoodValue: 1.5,
      },
    ])
  })

  it("gives each device's newest good read, and none for a device never read well", () => {
    const latest = createLatestValues()
    latest.update('plc', [
      { point: 'p1', ts: 10, value: 1, quality: 'good' },
      { point: 'p2', ts: 30, value: 2, quality: 'uncertain' },
    ])
    latest.update('plc', [{ point: 'p1', ts: 40, value: 1, quality: 'good' }])
    latest.update('gas', [{ point: 'g1', ts: 50, value: null, quality: 'bad', reason: 'unreachable' }])
    expect(Object.fromEntries(latest.lastGoodByDevice())).toEqual({ plc: 40 })
  })

  it('a sample marked clock_skew never pins the value; the next trusted one replaces it (issue 14)', () => {
    const latest = createLatestValues()
    latest.update('plc', [{ point: 'a', ts: 10, value: 1, quality: 'good' }])
    latest.update('plc', [
      { point: 'a', ts: 10 + 365 * 86_400_000, value: 9, quality: 'uncertain', reason: 'clock_skew:ahead:365d' },
    ])
    expect(latest.list()[0]).toMatchObject({ ts: 10, value: 1 })
    latest.update('plc', [{ point: 'a', ts: 20, value: 2, quality: 'good' }])
    expect(latest.list()[0]).toMatchObject({ ts: 20, value: 2 })
    // Nothing trusted yet: the skewed one is shown (as uncertain), until a trusted one comes.
    latest.update('plc', [{ point: 'b', ts: 1e15, value: 3, quality: 'uncertain', reason: 'clock_skew:ahead:365d' }])
    latest.update('plc', [{ point: 'b', ts: 30, value: 4, quality: 'good' }])
    expect(latest.list()[1]).toMatchObject({ ts: 30, value: 4 })
  })
})
