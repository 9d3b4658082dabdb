import { describe, expect, it } from 'vitest'
import { initialRuleState, type AlarmEvent } from '../../../shared/rules/evaluate.ts'
import { batchMode } from './point.ts'
import { backlogEvent, settleOpenRaise, type ReplayCopy } from './replay.ts'
import { ruleEventWrite, stepFor } from './rule-events.ts'
import { backlogTrace, countTrace } from './trace.ts'

const raise: AlarmEvent = { type: 'raise', point: 'p', kind: 'H', priority: 'A', ts: 100, value: 9, limit: 8 }
const recover: AlarmEvent = { type: 'recover', point: 'p', kind: 'H', ts: 200, value: 7 }
const copy = (open: ReplayCopy['open'] = {}): ReplayCopy => ({ point: 'p', state: null, resumeTs: 1000, open })

describe('alarm engine (pure decisions)', () => {
  it('a live raise opens an alarm with its entries; a chattering one says it is latched; history is not notified', () => {
    const w = ruleEventWrite({ ...raise, chattering: { raises: 3, windowS: 60 } }, true)
    expect(w.type).toBe('raise')
    if (w.type !== 'raise') return
    expect(w.entries.map((e) => e.action)).toEqual(['raise', 'chattering'])
    expect(w.tell).toEqual([{ action: 'raise', at: 100, historical: true }])
  })

  it('repeats of a latched episode get a timeline step only at 1–5, 10, 20, 50, 100 …', () => {
    expect([1, 5, 6, 10, 20, 30, 50, 100, 150].map(stepFor)).toEqual([
      true,
      true,
      false,
      true,
      true,
      false,
      true,
      true,
      false,
    ])
    const w = ruleEventWrite({ type: 'repeat', point: 'p', kind: 'H', ts: 1, value: 9, repeats: 7 }, false)
    expect(w).toMatchObject({ type: 'active', patch: { repeats: 7 }, entry: null, tell: [] })
  })

  it('a backlog raise is held open; its recovery writes a closed, historical episode', () => {
    const held = backlogEvent(copy(), raise, () => null)
    expect(held).toEqual({ open: { H: { ts: 100, value: 9, limit: 8, priority: 'A' } }, writes: [] })
    const done = backlogEvent(copy(held.open), recover, () => null)
    expect(done.open).toEqual({})
    expect(done.writes).toMatchObject([
      {
        type: 'episode',
        alarm: { raisedAt: 100, recovered: { at: 200, value: 7 } },
        tell: [
          { action: 'raise', historical: true },
          { action: 'recover', historical: true },
        ],
      },
    ])
  })

  it('a backlog recovery ends the alarm active before the outage at its own time, or corrects a later recovery', () => {
    expect(backlogEvent(copy(), recover, () => ({ id: 4, state: 'active', recoveredAt: null })).writes).toMatchObject([
      { type: 'update', id: 4, patch: { recoveredAt: 200 } },
    ])
    expect(
      backlogEvent(copy(), recover, () => ({ id: 4, state: 'recovered', recoveredAt: 500 })).writes[0],
    ).toMatchObject({ entry: { detail: { correctedFrom: 500 } } })
    expect(backlogEvent(copy(), recover, () => ({ id: 4, state: 'recovered', recoveredAt: 150 })).writes).toEqual([])
  })

  it('an open raise is settled: moved onto the live alarm, raised and notified when the condition holds, else closed at the resume time', () => {
    const open = { ts: 100, value: 9, limit: 8, priority: 'A' }
    expect(settleOpenRaise(copy(), 'H', open, { id: 2, raisedAt: 900 }, null)).toMatchObject({
      type: 'update',
      id: 2,
      patch: { raisedAt: 100 },
      tell: [],
    })
    expect(settleOpenRaise(copy(), 'H', open, { id: 2, raisedAt: 50 }, null)).toBeNull()
    const holding = { ...initialRuleState(), threshold: { active: { H: { since: 100 } } } } as unknown as ReturnType<
      typeof initialRuleState
    >
    expect(settleOpenRaise(copy(), 'H', open, null, holding)).toMatchObject({
      type: 'raise',
      tell: [{ action: 'raise', at: 100 }],
    })
    expect(settleOpenRaise(copy(), 'H', open, null, initialRuleState())).toMatchObject({
      type: 'episode',
      alarm: { recovered: { at: 1000, value: null } },
    })
  })

  it('traces and counts backlog samples at or after the resume time as replay_overlap', () => {
    const s = (ts: number) => ({ point: 'p', ts, value: 1, quality: 'good' as const })
    const records = backlogTrace([s(10), s(1000), s(2000)], { state: null, resumeTs: 1000 })
    expect(records.map((r) => [r.reason, r.samples.length])).toEqual([['replay_overlap', 2]])
    const result: { unevaluated?: Record<'late' | 'clock_skew' | 'replay_overlap', number> } = {}
    countTrace(result, records)
    expect(result.unevaluated).toEqual({ late: 0, clock_skew: 0, replay_overlap: 2 })
  })

  it('a batch ahead of a gap is live unless the edge marked it as backlog; the cloud verdict on history wins', () => {
    expect(batchMode(true, undefined, undefined)).toEqual({ live: false, deferred: false, historical: false })
    expect(batchMode(false, false, undefined)).toEqual({ live: true, deferred: false, historical: false })
    expect(batchMode(false, true, false)).toEqual({ live: false, deferred: true, historical: false })
  })
})
