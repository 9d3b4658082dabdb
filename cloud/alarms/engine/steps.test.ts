import { describe, expect, it } from 'vitest'
import type { AlarmRecord } from '../model.ts'
import { noFacts } from '../workflow.ts'
import { overlayStep, workflowStep } from './steps.ts'

const alarm = (more: Partial<AlarmRecord> = {}): AlarmRecord => ({
  id: 7,
  point: 'p',
  pointName: null,
  enterprise: null,
  kind: 'STALE',
  priority: 'B',
  raisedAt: 1000,
  value: 1,
  limit: 0,
  recoveredAt: 2000,
  recoveredValue: 0,
  state: 'recovered',
  closedAt: null,
  disposal: noFacts(),
  ...more,
})

describe('alarm steps (what both engines store for a person step)', () => {
  it('a workflow step yields the stored facts only (not the decision inputs), its closing time, and its change', () => {
    const r = workflowStep(
      alarm({ disposal: { ...noFacts(), triage: { verdict: 'false', by: 'a', at: 1500, note: '' } } }),
      { type: 'close', by: 'b' },
      3000,
    )
    expect(r).toEqual({
      ok: true,
      facts: {
        ...noFacts(),
        triage: { verdict: 'false', by: 'a', at: 1500, note: '' },
        closed: { by: 'b', at: 3000, note: '' },
      },
      closedAt: 3000,
      entry: { at: 3000, actor: 'b', action: 'close', detail: { note: '' } },
      change: { alarm: 7, action: 'close', at: 3000 },
      plansPushes: true,
    })
  })

  it('a refusal carries the stored alarm and changes nothing', () => {
    const current = alarm({ disposal: { ...noFacts(), ack: { by: 'a', at: 1100 } } })
    expect(workflowStep(current, { type: 'ack', by: 'b' }, 3000)).toMatchObject({
      ok: false,
      code: 'ALARM_STATE_CONFLICT',
      alarm: current,
    })
    expect(overlayStep(alarm({ closedAt: 2500 }), { type: 'unshelve', by: 'b' }, 3000)).toMatchObject({
      ok: false,
      code: 'ALARM_STATE_CONFLICT',
    })
  })

  it("a shelve's expiry is told as an unshelve by the system and plans no push", () => {
    const shelved = alarm({
      state: 'active',
      recoveredAt: null,
      disposal: { ...noFacts(), overlay: { kind: 'shelved', by: 'a', reason: 'r', since: 1000, until: 2000 } },
    })
    expect(overlayStep(shelved, { type: 'shelve_expired' }, 2000)).toMatchObject({
      ok: true,
      facts: { overlay: null },
      closedAt: null,
      entry: { actor: 'system', action: 'unshelve' },
      change: { alarm: 7, action: 'unshelve', at: 2000 },
      plansPushes: false,
    })
  })
})
