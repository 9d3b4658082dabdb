import { describe, expect, it } from 'vitest'
import type { Recipient } from '../../notify/config.ts'
import type { GasWarningRecord, GasWarningStep } from './model.ts'
import { planGasPushes } from './pushes.ts'

const people: Recipient[] = [
  { id: 'duty', name: '值班长', category: 'park-supervision', channels: ['sms', 'webhook'], phone: '13800000000' },
  { id: 'sl-boss', name: '主要负责人', category: 'principal', enterprise: 'shilian', channels: ['webhook'] },
]
const withSteps = (...history: GasWarningStep[]) => ({ history }) as unknown as GasWarningRecord

describe("a gas-leak warning step's pushes", () => {
  it('an escalation: each named recipient on each of their channels, due at the step, keyed by its index', () => {
    const w = withSteps(
      { at: 1, action: 'opened', colour: 'blue', tell: ['duty'] },
      { at: 5, action: 'escalated', colour: 'red', tell: ['duty', 'sl-boss', 'no-longer-configured'] },
    )
    expect(
      planGasPushes(w, people).map((p) => `${p.step} ${p.action} ${p.colour} ${p.recipient} ${p.channel} ${p.dueAt}`),
    ).toEqual(['1 escalated red duty sms 5', '1 escalated red duty webhook 5', '1 escalated red sl-boss webhook 5'])
  })

  it("a person's step (acknowledged, reported, cleared) or a step naming nobody tells nobody", () => {
    expect(
      planGasPushes(
        withSteps(
          { at: 1, action: 'opened', colour: 'blue', tell: ['duty'] },
          { at: 2, action: 'acknowledged', colour: 'blue', by: 'op' },
        ),
        people,
      ),
    ).toEqual([])
    expect(planGasPushes(withSteps({ at: 1, action: 'notice', colour: 'orange', tell: [] }), people)).toEqual([])
    expect(planGasPushes(withSteps({ at: 1, action: 'opened', colour: 'blue' }), people)).toEqual([])
  })
})
