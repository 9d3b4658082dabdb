import {
  COLOURS,
  clearRefusal,
  gasWarning,
  noticeDueAt,
  type GasAlarmFact,
  type GasWarningRules,
  type InvestigationReport,
  type WarningColour,
} from '../../../shared/rules/gas-warning.ts'
import type { GasWarningRecord, GasWarningStep } from './model.ts'

/** What to write after evaluating an area: nothing, a new warning, or the open one changed. */
export type GasDecision =
  | { kind: 'none' }
  | { kind: 'open'; warning: Omit<GasWarningRecord, 'id'> }
  | { kind: 'update'; warning: GasWarningRecord; escalated: boolean }

const rank = (c: WarningColour) => COLOURS.indexOf(c)

/**
 * The area's warning after its gas alarms changed (or time passed: durations grow). A warning's
 * colour only rises while it is open: falling figures do not clear it, a person does.
 */
export function decideGasWarning(
  area: { id: string; enterprise: string | null; publicArea: boolean },
  open: GasWarningRecord | null,
  facts: readonly GasAlarmFact[],
  now: number,
  rules: GasWarningRules,
): GasDecision {
  const computed = gasWarning(facts, now, rules)
  if (!open) {
    if (!computed) return { kind: 'none' }
    const step: GasWarningStep = { at: now, action: 'opened', colour: computed.colour, reasons: computed.reasons }
    return {
      kind: 'open',
      warning: {
        area: area.id,
        enterprise: area.enterprise,
        publicArea: area.publicArea,
        colour: computed.colour,
        state: 'open',
        openedAt: now,
        colourSince: now,
        reasons: computed.reasons,
        active: computed.active,
        acknowledgedAt: null,
        acknowledgedBy: null,
        noticeDueAt: noticeDueAt(computed.colour, now),
        noticeSentAt: null,
        report: null,
        clearedAt: null,
        clearedBy: null,
        history: [step],
      },
    }
  }
  const active = computed?.active ?? []
  const escalated = computed !== null && rank(computed.colour) > rank(open.colour)
  if (!escalated && sameList(active, open.active)) return { kind: 'none' }
  if (!escalated) return { kind: 'update', warning: { ...open, active }, escalated: false }
  const colour = computed.colour
  return {
    kind: 'update',
    escalated: true,
    warning: {
      ...open,
      colour,
      colourSince: now,
      reasons: computed.reasons,
      active,
      // A new colour is a new situation: it needs its own acknowledgement, and its own deadline.
      acknowledgedAt: null,
      acknowledgedBy: null,
      noticeDueAt: noticeDueAt(colour, now),
      noticeSentAt: null,
      history: [...open.history, { at: now, action: 'escalated', colour, reasons: computed.reasons }],
    },
  }
}

const sameList = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((x, i) => x === b[i])

export type GasAct =
  | { action: 'acknowledge'; by: string }
  | { action: 'report'; by: string; text: string; attachments: string[] }
  | { action: 'clear'; by: string }
  | { action: 'notice' }

export type GasActOutcome =
  | { ok: true; warning: GasWarningRecord }
  | { ok: false; code: 'STATE_CONFLICT'; message: string; warning: GasWarningRecord }

/** A person's step on a warning, or the notice timer's; refused with what to do when it does not fit. */
export function actOnGasWarning(w: GasWarningRecord, act: GasAct, now: number): GasActOutcome {
  const refuse = (message: string): GasActOutcome => ({ ok: false, code: 'STATE_CONFLICT', message, warning: w })
  if (w.state === 'cleared') return refuse('the warning is cleared already')
  const step = (s: Omit<GasWarningStep, 'at' | 'colour'>): GasWarningStep[] => [
    ...w.history,
    { at: now, colour: w.colour, ...s },
  ]
  switch (act.action) {
    case 'acknowledge':
      if (w.acknowledgedAt !== null) return refuse(`acknowledged already by ${w.acknowledgedBy}`)
      return {
        ok: true,
        warning: {
          ...w,
          acknowledgedAt: now,
          acknowledgedBy: act.by,
          history: step({ action: 'acknowledged', by: act.by }),
        },
      }
    case 'report': {
      const report: InvestigationReport = { text: act.text, attachments: act.attachments, by: act.by, at: now }
      return { ok: true, warning: { ...w, report, history: step({ action: 'reported', by: act.by }) } }
    }
    case 'clear': {
      if (w.active.length > 0)
        return refuse(`detectors still alarm (${w.active.join(', ')}): the leak is not over; clear once they recover`)
      const refusal = clearRefusal(w.colour, w.report)
      if (refusal) return refuse(refusal)
      return {
        ok: true,
        warning: {
          ...w,
          state: 'cleared',
          clearedAt: now,
          clearedBy: act.by,
          noticeDueAt: null,
          history: step({ action: 'cleared', by: act.by }),
        },
      }
    }
    case 'notice':
      if (w.noticeDueAt === null || w.noticeDueAt > now || w.acknowledgedAt !== null || w.noticeSentAt !== null)
        return refuse('no notice is due')
      return { ok: true, warning: { ...w, noticeSentAt: now, history: step({ action: 'notice' }) } }
  }
}
