import { describe, expect, it } from 'vitest'
import type { AlarmRecord } from './model.ts'
import { computeKpis } from './kpi.ts'
import { noFacts } from './workflow.ts'

const T0 = Date.UTC(2026, 10, 22)
const MIN = 60_000
let id = 0
const alarm = (point: string, at: number, extra: Partial<AlarmRecord> = {}): AlarmRecord => ({
  id: ++id,
  point,
  pointName: point.toUpperCase(),
  enterprise: point.startsWith('fq') ? 'fuqiang' : 'shilian',
  kind: 'H',
  priority: 'B',
  raisedAt: at,
  value: 1,
  limit: 1,
  recoveredAt: null,
  recoveredValue: null,
  state: 'recovered',
  closedAt: null,
  disposal: noFacts(),
  ...extra,
})

describe('alarm KPIs', () => {
  it('counts, floods, chattering, stale, top points, groups and response times', () => {
    const alarms = [
      // A flood: 11 raises within one 10-minute interval.
      ...Array.from({ length: 11 }, (_, i) => alarm(`sl.p${i % 3}`, T0 + i * 30_000)),
      // Chattering: three raises of one point within a minute.
      alarm('fq.x', T0 + 60 * MIN),
      alarm('fq.x', T0 + 60 * MIN + 20_000),
      alarm('fq.x', T0 + 60 * MIN + 50_000, { repeats: 7 }),
      // Answered after 2 and 4 minutes, closed after 30.
      alarm('sl.q', T0 + 120 * MIN, {
        priority: 'S',
        disposal: { ...noFacts(), ack: { by: 'a', at: T0 + 122 * MIN } },
        closedAt: T0 + 150 * MIN,
      }),
      alarm('sl.q', T0 + 130 * MIN, {
        priority: 'S',
        disposal: { ...noFacts(), triage: { verdict: 'valid', by: 'a', at: T0 + 134 * MIN, note: '' } },
      }),
      // Stale: open and active for more than a day (raised before the range, so not counted in it).
      alarm('sl.old', T0 - 2 * 86_400_000, { state: 'active' }),
    ]
    const k = computeKpis(alarms, { from: T0, to: T0 + 4 * 60 * MIN }, T0 + 4 * 60 * MIN)
    expect(k).toMatchObject({ total: 16, perHour: 4, perDay: 96, floodPercent: 4.17, stale: 1 })
    expect(k.chattering).toEqual([{ point: 'fq.x', bursts: 1 }]) // the flood's points repeat every 90 s: not chattering
    // The third raise latched: its seven repetitions were held on it, not raised (shared/rules/latch.ts).
    expect(k.suppressedRepeats).toBe(7)
    expect(k.topPoints[0]).toEqual({ point: 'sl.p0', pointName: 'SL.P0', count: 4 })
    expect(k.byGroup).toEqual([
      { key: 'B', count: 14 },
      { key: 'S', count: 2 },
    ])
    expect(computeKpis(alarms, { from: T0, to: T0 + 4 * 60 * MIN }, T0, 'enterprise').byGroup).toEqual([
      { key: 'shilian', count: 13 },
      { key: 'fuqiang', count: 3 },
    ])
    expect(k.timeToRespond).toEqual({ count: 2, medianS: 120, p90S: 240 })
    expect(k.timeToClose).toEqual({ count: 1, medianS: 1800, p90S: 1800 })
  })

  it('an empty range is all zeros, not NaN', () => {
    expect(computeKpis([], { from: T0, to: T0 + MIN }, T0)).toMatchObject({
      total: 0,
      perDay: 0,
      floodPercent: 0,
      suppressedRepeats: 0,
      timeToRespond: { count: 0, medianS: null },
    })
  })
})
