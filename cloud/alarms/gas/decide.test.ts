import { describe, expect, it } from 'vitest'
import { defaultGasWarningRules, type GasAlarmFact } from '../../../shared/rules/gas-warning.ts'
import type { Recipient } from '../../notify/config.ts'
import { actOnGasWarning, decideGasWarning } from './decide.ts'
import type { GasWarningRecord } from './model.ts'
import { gasRecipients } from './recipients.ts'

const T0 = Date.UTC(2026, 11, 6, 2)
const MIN = 60_000
const area = { id: 'tank-farm', enterprise: 'shilian', publicArea: false }
const rules = defaultGasWarningRules

/** Applies decisions as a store would: the open warning after each evaluation. */
function evaluate(open: GasWarningRecord | null, facts: GasAlarmFact[], now: number): GasWarningRecord | null {
  const d = decideGasWarning(area, open, facts, now, rules)
  if (d.kind === 'open') return { id: 1, ...d.warning }
  if (d.kind === 'update') return d.warning
  return open
}

describe('gas-leak warnings of an area', () => {
  it('escalate yellow → orange → red as the leak spreads to neighbouring detectors, and never fall back while open', () => {
    const facts: GasAlarmFact[] = [{ detector: 'GT-1', level: 'H', raisedAt: T0, clearedAt: null }]
    let w = evaluate(null, facts, T0)
    expect(w).toMatchObject({ colour: 'blue', state: 'open', active: ['GT-1'], noticeDueAt: null })
    facts.push({ detector: 'GT-2', level: 'H', raisedAt: T0 + MIN, clearedAt: null })
    w = evaluate(w, facts, T0 + MIN)
    expect(w?.colour).toBe('yellow')
    facts.push({ detector: 'GT-3', level: 'H', raisedAt: T0 + 2 * MIN, clearedAt: null })
    w = evaluate(w, facts, T0 + 2 * MIN)
    expect(w).toMatchObject({ colour: 'orange', colourSince: T0 + 2 * MIN, noticeDueAt: T0 + 2 * MIN + 86_400_000 })
    facts.push({ detector: 'GT-3', level: 'HH', raisedAt: T0 + 3 * MIN, clearedAt: null })
    w = evaluate(w, facts, T0 + 3 * MIN)
    expect(w).toMatchObject({ colour: 'red', noticeDueAt: T0 + 3 * MIN + 43_200_000 })
    expect(w?.history.map((s) => `${s.action} ${s.colour}`)).toEqual([
      'opened blue',
      'escalated yellow',
      'escalated orange',
      'escalated red',
    ])
    // Every detector recovers: still red (a person clears it), nothing active.
    for (const f of facts) f.clearedAt = T0 + 4 * MIN
    w = evaluate(w, facts, T0 + 5 * MIN)
    expect(w).toMatchObject({ colour: 'red', state: 'open', active: [] })
  })

  it('clear an orange or red warning only with an investigation report, and only once the detectors recovered', () => {
    let w = evaluate(
      null,
      ['GT-1', 'GT-2', 'GT-3', 'GT-4'].map((detector) => ({
        detector,
        level: 'H' as const,
        raisedAt: T0,
        clearedAt: null,
      })),
      T0,
    ) as GasWarningRecord
    expect(w.colour).toBe('red')
    const stillOn = actOnGasWarning(w, { action: 'clear', by: 'op' }, T0 + MIN)
    expect(stillOn).toMatchObject({ ok: false, code: 'STATE_CONFLICT' })
    w = { ...w, active: [] }
    const noReport = actOnGasWarning(w, { action: 'clear', by: 'op' }, T0 + MIN)
    expect(noReport.ok).toBe(false)
    expect(noReport.ok ? '' : noReport.message).toMatch(/investigation report/)
    const reported = actOnGasWarning(
      w,
      { action: 'report', by: 'shilian-safety', text: '法兰密封失效，已更换垫片', attachments: ['gas-report-1.pdf'] },
      T0 + 2 * MIN,
    )
    if (!reported.ok) throw new Error(reported.message)
    const cleared = actOnGasWarning(reported.warning, { action: 'clear', by: 'op' }, T0 + 3 * MIN)
    expect(cleared).toMatchObject({ ok: true, warning: { state: 'cleared', clearedBy: 'op' } })
  })

  it('bring a notice when an orange one is unacknowledged for a day, never after an acknowledgement', () => {
    const orange = evaluate(
      null,
      ['GT-1', 'GT-2', 'GT-3'].map((detector) => ({ detector, level: 'H' as const, raisedAt: T0, clearedAt: null })),
      T0,
    ) as GasWarningRecord
    expect(orange.colour).toBe('orange')
    expect(actOnGasWarning(orange, { action: 'notice' }, T0 + 86_399_999).ok).toBe(false)
    expect(actOnGasWarning(orange, { action: 'notice' }, T0 + 86_400_000)).toMatchObject({
      ok: true,
      warning: { noticeSentAt: T0 + 86_400_000 },
    })
    const acked = actOnGasWarning(orange, { action: 'acknowledge', by: 'op' }, T0 + MIN)
    if (!acked.ok) throw new Error(acked.message)
    expect(actOnGasWarning(acked.warning, { action: 'notice' }, T0 + 2 * 86_400_000).ok).toBe(false)
  })

  it("tell the colour's people: the enterprise's own and the park's, as configured recipients", () => {
    const people: Recipient[] = [
      { id: 'duty', name: '值班长', category: 'park-supervision', channels: ['sms'], phone: '13800000000' },
      { id: 'sl-officer', name: '安全员', category: 'safety-officer', enterprise: 'shilian', channels: ['sms'] },
      { id: 'sl-director', name: '安全总监', category: 'safety-director', enterprise: 'shilian', channels: ['sms'] },
      { id: 'fq-director', name: '安全总监', category: 'safety-director', enterprise: 'fuqiang', channels: ['sms'] },
      { id: 'sl-boss', name: '主要负责人', category: 'principal', enterprise: 'shilian', channels: ['sms'] },
      { id: 'bureau', name: '应急局', category: 'special', channels: ['webhook'] },
    ]
    expect(gasRecipients('blue', area, people)).toEqual(['duty', 'sl-officer'])
    expect(gasRecipients('yellow', area, people)).toEqual(['duty', 'sl-director'])
    expect(gasRecipients('red', area, people)).toEqual(['bureau', 'duty', 'sl-boss'])
  })
})
