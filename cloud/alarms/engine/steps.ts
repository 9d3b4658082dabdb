import { isaAct } from '../isa.ts'
import type { AlarmActOutcome, AlarmChange, AlarmRecord, IsaAction } from '../model.ts'
import { act, type Action, type DisposalFacts, type TimelineEntry } from '../workflow.ts'

/**
 * A person's step on a stored alarm, decided on what is stored (cloud/alarms/workflow.ts for the
 * disposal workflow, isa.ts for the ISA-18.2 overlays): pure, so both storage engines only load
 * the alarm, ask here and save. A refusal carries the stored alarm for the API's 409.
 */
export type AlarmStep =
  | {
      ok: true
      /** The alarm's new disposal facts and the closing time they imply. */
      facts: DisposalFacts
      closedAt: number | null
      /** The one timeline entry the step appends. */
      entry: TimelineEntry
      /** Told after the commit. */
      change: AlarmChange
      /** The step may call for pushes (a triage as valid: cloud/notify/plan.ts decides), planned in its transaction. */
      plansPushes: boolean
    }
  | Extract<AlarmActOutcome, { ok: false }>

/** A disposal step (ack, triage, feedback, close): brief §5's workflow on the stored facts. */
export function workflowStep(current: AlarmRecord, action: Action, now: number): AlarmStep {
  const r = act(
    {
      ...current.disposal,
      priority: current.priority,
      raisedAt: current.raisedAt,
      recoveredAt: current.recoveredAt,
      suppressed: false,
    },
    action,
    now,
  )
  if (!r.ok) return { ok: false, code: r.code, message: r.message, alarm: current }
  const { priority: _p, raisedAt: _r, recoveredAt: _rec, suppressed: _s, ...facts } = r.disposal
  return {
    ok: true,
    facts,
    closedAt: facts.closed?.at ?? null,
    entry: r.entry,
    change: { alarm: current.id, action: action.type, at: now },
    plansPushes: true,
  }
}

/** An ISA-18.2 overlay step (shelve, unshelve, out of service, a shelve's expiry), checked by the pure machine. */
export function overlayStep(
  current: AlarmRecord,
  action: IsaAction | { type: 'shelve_expired' },
  now: number,
): AlarmStep {
  const r = isaAct(current, action, now)
  if (!r.ok) return { ok: false, code: 'ALARM_STATE_CONFLICT', message: r.message, alarm: current }
  return {
    ok: true,
    facts: r.facts,
    // An overlay never touches a closed alarm (isaAct refuses it): the alarm stays open.
    closedAt: current.closedAt,
    entry: r.entry,
    change: { alarm: current.id, action: action.type === 'shelve_expired' ? 'unshelve' : action.type, at: now },
    plansPushes: false,
  }
}
