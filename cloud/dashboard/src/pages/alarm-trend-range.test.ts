import { describe, expect, it } from 'vitest'
import { AROUND_MS, alarmRange, hasTrend, rangeKey } from './alarm-trend-range.ts'

const MIN = 60_000
const raised = 1_765_000_000_000

describe('the trend around an alarm (issue 17)', () => {
  it('reaches 30 min before the raise and 30 min after the recovery', () => {
    expect(alarmRange({ raisedAt: raised, recoveredAt: raised + 10 * MIN }, raised + 5 * 60 * MIN)).toEqual({
      from: raised - AROUND_MS,
      to: raised + 10 * MIN + AROUND_MS,
    })
  })

  it('ends now while the alarm is active, or when the half hour after the recovery has not passed yet', () => {
    expect(alarmRange({ raisedAt: raised, recoveredAt: null }, raised + 7 * MIN)).toEqual({
      from: raised - AROUND_MS,
      to: raised + 7 * MIN,
    })
    expect(alarmRange({ raisedAt: raised, recoveredAt: raised + MIN }, raised + 2 * MIN).to).toBe(raised + 2 * MIN)
  })

  it('never ends before the raise (a clock behind the alarm still gives a range)', () => {
    const r = alarmRange({ raisedAt: raised, recoveredAt: null }, raised - MIN)
    expect(r.to).toBeGreaterThan(raised)
  })

  it('changes its key only when the range would change: the recovery arrives', () => {
    const active = { point: 'p', raisedAt: raised, recoveredAt: null }
    expect(rangeKey(active)).toBe(rangeKey({ ...active }))
    expect(rangeKey({ ...active, recoveredAt: raised + MIN })).not.toBe(rangeKey(active))
  })

  it('has no trend for a camera alarm', () => {
    expect(hasTrend('camera:gate-1')).toBe(false)
    expect(hasTrend('shilian.tank1.level')).toBe(true)
  })
})
