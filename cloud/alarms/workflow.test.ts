import { describe, expect, it } from 'vitest'
import {
  act,
  isOverdue,
  newDisposal,
  nextRecontactAt,
  provincialStatus,
  responseDueAt,
  type Action,
  type Disposal,
} from './workflow.ts'

const T0 = Date.UTC(2026, 10, 22, 2, 0, 0)
const MIN = 60_000

function apply(d: Disposal, steps: Array<[number, Action]>): Disposal {
  for (const [at, action] of steps) {
    const r = act(d, action, at)
    if (!r.ok) throw new Error(`${action.type} at +${(at - T0) / MIN} min refused: ${r.message}`)
    d = r.disposal
  }
  return d
}

describe('disposal workflow', () => {
  it('raise → ack → triage valid → feedback → recovered → close, with provincial codes at each step', () => {
    let d = newDisposal('A', T0)
    expect(provincialStatus(d)).toEqual({ alarmStatus: '01', disposalStatus: '01', falseAlarm: 0 })
    d = apply(d, [
      [T0 + MIN, { type: 'ack', by: 'center-li' }],
      [T0 + 2 * MIN, { type: 'triage', by: 'center-li', verdict: 'valid' }],
    ])
    expect(provincialStatus(d)).toEqual({ alarmStatus: '01', disposalStatus: '02', falseAlarm: 0 })
    d = apply(d, [
      [T0 + 5 * MIN, { type: 'feedback', by: 'shilian-wang', cause: '进料阀卡涩', measures: '切换备用阀，液位回落' }],
    ])
    d = { ...d, recoveredAt: T0 + 8 * MIN }
    expect(provincialStatus(d)).toEqual({ alarmStatus: '02', disposalStatus: '02', falseAlarm: 0 })
    d = apply(d, [[T0 + 9 * MIN, { type: 'close', by: 'center-li' }]])
    expect(d.closed).toEqual({ by: 'center-li', at: T0 + 9 * MIN, note: '' })
    expect(provincialStatus(d)).toEqual({ alarmStatus: '03', disposalStatus: '03', falseAlarm: 0 })
  })

  it.each([
    ['ack twice', [{ type: 'ack', by: 'a' }], { type: 'ack', by: 'b' }, /already acknowledged by a/],
    ['close untriaged', [], { type: 'close', by: 'a' }, /triage the alarm/],
    ['invalid while still active', [], { type: 'triage', by: 'a', verdict: 'invalid' }, /still active/],
    [
      'close a valid alarm that has not recovered',
      [{ type: 'triage', by: 'a', verdict: 'valid' }],
      { type: 'close', by: 'a', note: 'x' },
      /after its value recovered/,
    ],
    [
      'anything on a closed alarm',
      [
        { type: 'triage', by: 'a', verdict: 'false' },
        { type: 'close', by: 'a' },
      ],
      { type: 'feedback', by: 'e', cause: 'c', measures: 'm' },
      /closed by a/,
    ],
  ] as const)('refuses: %s (409 with the state)', (_name, before, action, message) => {
    const d = apply(
      newDisposal('S', T0),
      before.map((a) => [T0 + MIN, a as Action]),
    )
    const r = act(d, action as Action, T0 + 2 * MIN)
    expect(r).toMatchObject({
      ok: false,
      code: 'ALARM_STATE_CONFLICT',
      message: expect.stringMatching(message),
      status: provincialStatus(d),
    })
  })

  it('a valid, recovered alarm closes with feedback or with a note that says why there is none', () => {
    const d = {
      ...apply(newDisposal('B', T0), [[T0, { type: 'triage', by: 'a', verdict: 'valid' }]]),
      recoveredAt: T0 + MIN,
    }
    expect(act(d, { type: 'close', by: 'a' }, T0 + 2 * MIN)).toMatchObject({
      ok: false,
      message: expect.stringMatching(/feedback/),
    })
    expect(act(d, { type: 'close', by: 'a', note: '企业电话确认，已现场处置' }, T0 + 2 * MIN).ok).toBe(true)
  })

  it('invalid (a transient exceedance that recovered) and false alarms close without feedback', () => {
    const transient = apply({ ...newDisposal('A', T0), recoveredAt: T0 + 5_000 }, [
      [T0 + MIN, { type: 'triage', by: 'a', verdict: 'invalid' }],
      [T0 + MIN, { type: 'close', by: 'a' }],
    ])
    expect(provincialStatus(transient)).toEqual({ alarmStatus: '03', disposalStatus: '03', falseAlarm: 0 })
    const video = apply(newDisposal('S', T0), [
      [T0 + MIN, { type: 'triage', by: 'a', verdict: 'false' }],
      [T0 + MIN, { type: 'close', by: 'a' }],
    ])
    expect(provincialStatus(video).falseAlarm).toBe(1)
  })

  it('bad input: no actor, or feedback without cause and measures', () => {
    expect(act(newDisposal('A', T0), { type: 'ack', by: ' ' }, T0)).toMatchObject({ ok: false, code: 'BAD_REQUEST' })
    expect(act(newDisposal('A', T0), { type: 'feedback', by: 'e', cause: 'c', measures: '' }, T0)).toMatchObject({
      ok: false,
      code: 'BAD_REQUEST',
    })
    expect(
      act({ ...newDisposal('A', T0), suppressed: true }, { type: 'feedback', by: 'e', cause: 'c', measures: 'm' }, T0),
    ).toMatchObject({ ok: false, code: 'ALARM_STATE_CONFLICT' })
  })

  it('timeline entries carry actor, time and what was decided (a re-triage keeps the previous verdict)', () => {
    const first = act(newDisposal('A', T0), { type: 'triage', by: 'a', verdict: 'valid', note: '现场确认' }, T0 + MIN)
    expect(first.ok && first.entry).toEqual({
      at: T0 + MIN,
      actor: 'a',
      action: 'triage',
      detail: { verdict: 'valid', note: '现场确认' },
    })
    const again = first.ok
      ? act(
          { ...first.disposal, recoveredAt: T0 + 90_000 },
          { type: 'triage', by: 'b', verdict: 'invalid' },
          T0 + 2 * MIN,
        )
      : first
    expect(again.ok && again.entry.detail).toEqual({ verdict: 'invalid', previous: 'valid', note: '' })
  })
})

describe('deadlines and re-contact', () => {
  it.each([
    ['S', 3],
    ['A', 3],
    ['B', 10],
    ['C', 10],
    ['D', 10],
  ] as const)('%s must be answered within %i min', (priority, minutes) => {
    const d = newDisposal(priority, T0)
    expect(responseDueAt(d)).toBe(T0 + minutes * MIN)
    expect(isOverdue(d, T0 + minutes * MIN)).toBe(false)
    expect(isOverdue(d, T0 + minutes * MIN + 1)).toBe(true)
    // Answered in time: never overdue; answered late: stays overdue.
    expect(isOverdue(apply(d, [[T0 + minutes * MIN, { type: 'ack', by: 'a' }]]), T0 + 60 * MIN)).toBe(false)
    expect(isOverdue(apply(d, [[T0 + minutes * MIN + 1, { type: 'ack', by: 'a' }]]), T0 + 60 * MIN)).toBe(true)
  })

  it('a valid alarm not recovered after 10 min prompts another contact, every 10 min until it recovers', () => {
    const d = apply(newDisposal('A', T0), [[T0 + MIN, { type: 'triage', by: 'a', verdict: 'valid' }]])
    expect(nextRecontactAt(newDisposal('A', T0), T0)).toBeNull() // not triaged valid yet
    expect(nextRecontactAt(d, T0 + 2 * MIN)).toBe(T0 + 10 * MIN)
    expect(nextRecontactAt(d, T0 + 10 * MIN)).toBe(T0 + 20 * MIN)
    expect(nextRecontactAt({ ...d, recoveredAt: T0 + 12 * MIN }, T0 + 12 * MIN)).toBeNull()
  })
})
