import { describe, expect, it } from 'vitest'
import type { ThresholdLimits } from './threshold.ts'
import type { Sample } from '../wire/sample.ts'
import { createEvaluator, parseRuleState, type PointRuleState, type RulePoint } from './evaluate.ts'

const limits: ThresholdLimits = { hh: 10.5, h: 9.5, l: 2, ll: 1, deadband: 0.1 }
const tank: RulePoint = { id: 'tk101.level', class: 'mhs', limits }
const s = (ts: number, value: Sample['value'], quality: Sample['quality'] = 'good'): Sample => ({
  point: tank.id,
  ts,
  value,
  quality,
})
const evaluate = createEvaluator()

/** Runs samples one batch at a time, carrying the state like the store does. */
function run(point: RulePoint, batches: Sample[][], start: PointRuleState | null = null) {
  let state = start
  const events = []
  for (const b of batches) {
    const r = evaluate(point, state, b)
    if (r.state) state = r.state
    events.push(
      ...r.events.map(
        (e) => `${e.type} ${e.kind}@${e.ts}=${e.value}${e.type === 'raise' ? ` ${e.priority} limit ${e.limit}` : ''}`,
      ),
    )
  }
  return { state, events }
}

describe('alarm evaluation', () => {
  it('raises H then HH as the value climbs, with priorities from the point class, and recovers both', () => {
    const { events, state } = run(tank, [[s(1, 9)], [s(2, 9.6)], [s(3, 10.6)], [s(4, 9.0)]])
    expect(events).toEqual([
      'raise H@2=9.6 A limit 9.5',
      'raise HH@3=10.6 S limit 10.5',
      'recover HH@4=9',
      'recover H@4=9',
    ])
    expect(state?.threshold.active).toEqual({})
    expect(state?.lastTs).toBe(4)
  })

  it('uses the class: a gas point HH is A, H is B', () => {
    const { events } = run({ ...tank, class: 'gas' }, [[s(1, 11)]])
    expect(events).toEqual(['raise H@1=11 B limit 9.5', 'raise HH@1=11 A limit 10.5'])
  })

  it('recovers only below limit − deadband (no chatter at the limit)', () => {
    const { events } = run(tank, [[s(1, 9.5)], [s(2, 9.45)], [s(3, 9.5)], [s(4, 9.41)], [s(5, 9.39)]])
    expect(events).toEqual(['raise H@1=9.5 A limit 9.5', 'recover H@5=9.39'])
  })

  it('low side: L then LL, recover above limit + deadband', () => {
    const { events } = run(tank, [[s(1, 1.5)], [s(2, 0.9)], [s(3, 2.05)], [s(4, 2.2)]])
    expect(events).toEqual([
      'raise L@1=1.5 C limit 2',
      'raise LL@2=0.9 B limit 1',
      'recover LL@3=2.05',
      'recover L@4=2.2',
    ])
  })

  it('evaluates a batch in source-time order, whatever order it arrived in', () => {
    const { events } = run(tank, [[s(30, 9), s(10, 11), s(20, 9.6)]])
    expect(events).toEqual([
      'raise H@10=11 A limit 9.5',
      'raise HH@10=11 S limit 10.5',
      'recover HH@20=9.6',
      'recover H@30=9',
    ])
  })

  it('stores but does not evaluate samples older than the last evaluated one', () => {
    const first = evaluate(tank, null, [s(100, 5)])
    const late = evaluate(tank, first.state, [s(50, 11), s(100, 5)])
    expect(late).toMatchObject({ events: [], stale: 1, evaluated: 1 })
  })

  it('does not evaluate a clock_skew sample: one a year ahead neither moves the state nor hides the next crossing', () => {
    const first = evaluate(tank, null, [s(100, 5)])
    const ahead = evaluate(tank, first.state, [
      { ...s(100 + 365 * 86_400_000, 5), quality: 'uncertain', reason: 'clock_skew:ahead:365d' },
    ])
    expect(ahead).toMatchObject({ state: null, events: [], skewed: 1, evaluated: 0 })
    expect(evaluate(tank, first.state, [s(200, 11)]).events.map((e) => e.kind)).toEqual(['H', 'HH'])
  })

  it('ignores bad and non-numeric samples for limits (comm loss is another alarm)', () => {
    const { events } = run(tank, [[s(1, 11, 'bad'), s(2, 'x'), s(3, true), s(4, null, 'uncertain')]])
    expect(events).toEqual([])
  })

  it('does nothing (and asks for no write) for a point without limits', () => {
    expect(evaluate({ id: 'p', class: null, limits: null }, null, [s(1, 1e9)])).toEqual({
      state: null,
      events: [],
      suppressed: [],
      evaluated: 0,
      stale: 0,
      skewed: 0,
    })
  })

  it('recovers active alarms once the point loses its limits', () => {
    const { state } = run(tank, [[s(1, 11)]])
    const after = evaluate({ ...tank, limits: null }, state, [s(2, 11)])
    // (Order not asserted: shared evaluateThreshold emits removed-limit recoveries as H, HH.)
    expect(after.events.map((e) => `${e.type} ${e.kind}`).sort()).toEqual(['recover H', 'recover HH'])
    expect(after.state?.threshold.active).toEqual({})
  })

  it('round-trips its state through JSON and refuses what it cannot read', () => {
    const { state } = run(tank, [[s(1, 11)]])
    expect(parseRuleState(JSON.parse(JSON.stringify(state)))).toEqual(state)
    expect(parseRuleState({ v: 2 })).toBeNull()
    expect(parseRuleState('x')).toBeNull()
  })
})

describe('alarm evaluation with on-delay and off-delay', () => {
  const delayed: RulePoint = { ...tank, delays: { onDelayMs: 5_000, offDelayMs: 10_000 } }
  it('a spike shorter than the on-delay raises nothing', () => {
    expect(run(delayed, [[s(0, 9)], [s(1_000, 11)], [s(3_000, 9)], [s(20_000, 9)]]).events).toEqual([])
  })
  it('a lasting crossing raises when the on-delay elapsed, with the value that started it', () => {
    expect(run(delayed, [[s(0, 9)], [s(1_000, 9.8)], [s(4_000, 9.9)], [s(7_000, 9.9)]]).events).toEqual([
      'raise H@6000=9.8 A limit 9.5',
    ])
  })
  it('off-delay: recovers only after being clear for the whole delay; a dip in between changes nothing', () => {
    const { events, state } = run(delayed, [
      [s(0, 9.8)],
      [s(6_000, 9.8)],
      [s(7_000, 9.0)],
      [s(12_000, 9.8)],
      [s(13_000, 9.0)],
      [s(24_000, 9.0)],
    ])
    expect(events).toEqual(['raise H@5000=9.8 A limit 9.5', 'recover H@23000=9'])
    // The state survives a restart through its JSON.
    expect(parseRuleState(JSON.parse(JSON.stringify(state)))).toEqual(state)
  })
})

describe('rate of change and digital state', () => {
  it('ROC raises when the level climbs faster than the limit, and recovers when it slows', () => {
    const fill: RulePoint = {
      id: 'tk.level',
      class: 'mhs',
      limits: null,
      roc: { limit: 0.5, deadband: 0.1, windowMs: 60_000, perMs: 60_000 },
    }
    const p = (ts: number, value: number): Sample => ({ point: fill.id, ts, value, quality: 'good' })
    const { events } = run(fill, [
      [p(0, 5)],
      [p(30_000, 5.1)],
      [p(60_000, 5.7)],
      [p(90_000, 6.2)],
      [p(150_000, 6.3)],
      [p(180_000, 6.35)],
    ])
    expect(events).toEqual(['raise ROC@60000=0.7 A limit 0.5', 'recover ROC@150000=0.1'])
  })

  it('DIGITAL raises while a switch is in its alarm state; bad quality changes nothing', () => {
    const lshh: RulePoint = { id: 'tk.lshh', class: 'mhs', limits: null, digital: { alarmOn: true } }
    const p = (ts: number, value: Sample['value'], quality: Sample['quality'] = 'good'): Sample => ({
      point: lshh.id,
      ts,
      value,
      quality,
    })
    const { events, state } = run(lshh, [[p(1, false)], [p(2, true)], [p(3, true)], [p(4, null, 'bad')], [p(5, 0)]])
    expect(events).toEqual(['raise DIGITAL@2=1 S limit 1', 'recover DIGITAL@5=0'])
    expect(parseRuleState(JSON.parse(JSON.stringify(state)))).toEqual(state)
  })

  it('a rule removed while its alarm is active recovers it', () => {
    const lshh: RulePoint = { id: 'tk.lshh', class: 'mhs', limits: null, digital: { alarmOn: true } }
    const first = run(lshh, [[{ point: lshh.id, ts: 1, value: true, quality: 'good' }]])
    const after = run(
      { ...lshh, digital: undefined },
      [[{ point: lshh.id, ts: 2, value: true, quality: 'good' }]],
      first.state,
    )
    expect(after.events).toEqual(['recover DIGITAL@2=1'])
  })
})
