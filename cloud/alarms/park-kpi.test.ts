import { describe, expect, it } from 'vitest'
import type { AlarmRecord } from './model.ts'
import { hourlyCounts, parkKpis } from './park-kpi.ts'
import { noFacts } from './workflow.ts'

const HOUR = 3_600_000
const MIN = 60_000
const OFFSET = 8 * HOUR
/** 2026-12-01 00:00 in Beijing time. */
const D0 = Date.UTC(2026, 11, 1) - OFFSET
let id = 0
const alarm = (point: string, at: number, extra: Partial<AlarmRecord> = {}): AlarmRecord => ({
  id: ++id,
  point,
  pointName: point.toUpperCase(),
  enterprise: 'shilian',
  kind: 'H',
  priority: 'B',
  raisedAt: at,
  value: 1,
  limit: 1,
  recoveredAt: at + 10 * MIN,
  recoveredValue: 0,
  state: 'recovered',
  closedAt: null,
  disposal: noFacts(),
  ...extra,
})
const options = { offsetMs: OFFSET, fleetingMs: MIN, now: D0 + 3 * 24 * HOUR }

describe('the park KPI model (001:L3335)', () => {
  it('counts per local day: alarms, busy hours, valid, A-class, stale, fleeting, offline, repeating points', () => {
    const valid = { ...noFacts(), triage: { verdict: 'valid' as const, by: 'li', at: D0, note: '' } }
    const alarms = [
      // Day 1: five raises in the 09:00 hour (a busy hour), one of them fleeting, one valid A.
      ...[0, 5, 10, 15].map((m) => alarm('sl.a', D0 + 9 * HOUR + m * MIN)),
      alarm('sl.b', D0 + 9 * HOUR + 30 * MIN, { recoveredAt: D0 + 9 * HOUR + 30 * MIN + 20_000 }),
      alarm('sl.c', D0 + 14 * HOUR, { priority: 'A', disposal: valid }),
      // Day 2: an edge offline, a stale alarm (active 30 h later), a latched repeat.
      alarm('edge:gw1', D0 + 24 * HOUR + HOUR, { kind: 'OFFLINE', priority: 'A' }),
      alarm('sl.d', D0 + 24 * HOUR + 2 * HOUR, { state: 'active', recoveredAt: null }),
      alarm('sl.e', D0 + 24 * HOUR + 3 * HOUR, { kind: 'STALE', repeats: 4 }),
      // Outside the range: ignored.
      alarm('sl.a', D0 - MIN),
    ]
    const k = parkKpis(alarms, { from: D0, to: D0 + 2 * 24 * HOUR }, options)
    expect(k.days.map((d) => d.date)).toEqual(['2026-12-01', '2026-12-02'])
    expect(k.days[0]).toMatchObject({
      total: 6,
      busyHours: 1,
      hours: 24,
      valid: 1,
      aClass: 1,
      stale: 0,
      fleeting: 1,
      offline: 0,
      repeatingPoints: 1,
    })
    expect(k.days[1]).toMatchObject({ total: 3, busyHours: 0, aClass: 1, stale: 1, offline: 2, repeatingPoints: 1 })
    expect(k.perDay).toEqual({
      total: 4.5,
      valid: 0.5,
      aClass: 1,
      stale: 0.5,
      fleeting: 0.5,
      offline: 1,
      repeatingPoints: 1,
    })
    expect(k.perHour).toBe(0.19) // 9 / 48
    expect(k.busyHourPercent).toBe(2.08) // 1 of 48 hours
    expect(k.hourly).toHaveLength(48)
    expect(k.hourly[9]).toEqual({ start: D0 + 9 * HOUR, count: 5 })
    expect(k.repeatingPoints).toEqual([
      { point: 'sl.e', pointName: 'SL.E', raises: 5, days: 1 },
      { point: 'sl.a', pointName: 'SL.A', raises: 4, days: 1 },
    ])
  })

  it('exactly three alarms in an hour is not busy; a recovery after the fleeting bound is not fleeting', () => {
    const alarms = [0, 1, 2].map((m) => alarm(`p${m}`, D0 + m * MIN, { recoveredAt: D0 + m * MIN + MIN + 1 }))
    const k = parkKpis(alarms, { from: D0, to: D0 + HOUR }, options)
    expect(k.days[0]).toMatchObject({ total: 3, busyHours: 0, hours: 1, fleeting: 0, repeatingPoints: 0 })
    expect(k.busyHourPercent).toBe(0)
  })

  it('a range cutting days counts its partial days, and an empty range is zeros, not NaN', () => {
    const k = parkKpis([], { from: D0 + 20 * HOUR, to: D0 + 28 * HOUR }, options)
    expect(k.days.map((d) => [d.date, d.hours])).toEqual([
      ['2026-12-01', 4],
      ['2026-12-02', 4],
    ])
    expect(k.perDay.total).toBe(0)
    expect(k.perHour).toBe(0)
    expect(k.repeatingPoints).toEqual([])
  })

  it('hourly counts start on the clock hour', () => {
    expect(hourlyCounts([alarm('x', D0 + 90 * MIN)], D0 + 30 * MIN, D0 + 2 * HOUR)).toEqual([
      { start: D0, count: 0 },
      { start: D0 + HOUR, count: 1 },
    ])
  })
})
