import { describe, expect, it } from 'vitest'
import { evaluateThreshold, initialThresholdState, ThresholdLimits, type ThresholdState } from './threshold.ts'

const limits = ThresholdLimits.parse({ hh: 10.5, h: 9.5, l: 2, ll: 1, deadband: 0.2 })

/** Feeds values one per second and returns the event trace as 'raise:H@12' strings. */
function trace(values: Array<number | null>, lim = limits): string[] {
  let state: ThresholdState = initialThresholdState()
  const out: string[] = []
  values.forEach((value, i) => {
    const r = evaluateThreshold(lim, state, { ts: i, value, quality: value === null ? 'bad' : 'good' })
    state = r.state
    for (const e of r.events) out.push(`${e.type}:${e.kind}@${i}`)
  })
  return out
}

describe('evaluateThreshold', () => {
  it.each([
    ['normal values raise nothing', [5, 6, 7, 9.4], []],
    ['reaching H raises H (≥ limit)', [9, 9.5], ['raise:H@1']],
    ['a jump past HH raises H then HH', [5, 11], ['raise:H@1', 'raise:HH@1']],
    ['deadband holds the alarm until value < limit − deadband', [9.6, 9.4, 9.31, 9.29], ['raise:H@0', 'recover:H@3']],
    [
      'recovery from HH to normal recovers HH before H',
      [11, 5],
      ['raise:H@0', 'raise:HH@0', 'recover:HH@1', 'recover:H@1'],
    ],
    ['HH recovers while H stays', [11, 10], ['raise:H@0', 'raise:HH@0', 'recover:HH@1']],
    [
      'low side mirrors the high side',
      [5, 2, 0.5, 1.1, 1.3, 2.3],
      ['raise:L@1', 'raise:LL@2', 'recover:LL@4', 'recover:L@5'],
    ],
    ['a bad sample changes nothing', [11, null, 11], ['raise:H@0', 'raise:HH@0']],
    ['chatter at the limit inside the deadband raises once', [9.5, 9.4, 9.5, 9.35, 9.6], ['raise:H@0']],
  ])('%s', (_name, values, expected) => {
    expect(trace(values as Array<number | null>)).toEqual(expected)
  })

  it('ignores non-numeric and non-finite values', () => {
    const s = initialThresholdState()
    expect(evaluateThreshold(limits, s, { ts: 1, value: true, quality: 'good' }).events).toEqual([])
    expect(evaluateThreshold(limits, s, { ts: 1, value: Number.NaN, quality: 'good' }).events).toEqual([])
  })

  it('only configured limits raise', () => {
    expect(trace([100, -100], ThresholdLimits.parse({ h: 50 }))).toEqual(['raise:H@0', 'recover:H@1'])
  })

  it('a removed limit recovers its active alarm instead of leaving it dangling', () => {
    const raised = evaluateThreshold(limits, initialThresholdState(), { ts: 0, value: 11, quality: 'good' })
    const r = evaluateThreshold(ThresholdLimits.parse({ h: 9.5 }), raised.state, { ts: 1, value: 11, quality: 'good' })
    expect(r.events.map((e) => `${e.type}:${e.kind}`)).toEqual(['recover:HH'])
  })

  it('limits removed together recover in reverse order (HH before H)', () => {
    const raised = evaluateThreshold(limits, initialThresholdState(), { ts: 0, value: 11, quality: 'good' })
    const r = evaluateThreshold(ThresholdLimits.parse({}), raised.state, { ts: 1, value: 11, quality: 'good' })
    expect(r.events.map((e) => `${e.type}:${e.kind}`)).toEqual(['recover:HH', 'recover:H'])
  })

  it('does not mutate the state it is given', () => {
    const s = initialThresholdState()
    evaluateThreshold(limits, s, { ts: 0, value: 11, quality: 'good' })
    expect(s).toEqual({ active: {} })
  })

  it.each([
    [{ hh: 1, h: 2 }, /hh must be ≥ h/],
    [{ ll: 3, l: 2 }, /ll must be ≤ l/],
    [{ h: 1, l: 2 }, /h must be > l/],
    [{ h: 1, deadband: -1 }, /./],
  ])('rejects inconsistent limits %o', (input, message) => {
    const r = ThresholdLimits.safeParse(input)
    expect(r.success).toBe(false)
    expect(r.error?.issues[0]?.message).toMatch(message)
  })
})
