import { transition, type AlarmEvent, type AlarmState, type Overlay } from '../../shared/rules/isa18.ts'
import type { AlarmRecord, IsaAction } from './model.ts'
import type { DisposalFacts, TimelineEntry } from './workflow.ts'

/**
 * ISA-18.2 overlays on a stored alarm (shared/rules/isa18.ts decides what is allowed): shelving
 * by a person for a limited time with a reason, and taking the alarm out of service. The core
 * state follows from what is stored: the condition (active/recovered) and the acknowledgement.
 */
export type { IsaAction }

export function isaStateOf(a: AlarmRecord): AlarmState {
  const active = a.state === 'active'
  const acked = a.disposal.ack !== null
  const core = active ? (acked ? 'acked' : 'unack') : acked ? 'normal' : 'rtn_unack'
  return { core, conditionActive: active, overlay: (a.disposal.overlay ?? null) as Overlay | null, since: a.raisedAt }
}

export type IsaResult = { ok: true; facts: DisposalFacts; entry: TimelineEntry } | { ok: false; message: string }

export function isaAct(a: AlarmRecord, action: IsaAction | { type: 'shelve_expired' }, now: number): IsaResult {
  if (a.closedAt !== null) return { ok: false, message: 'the alarm is closed' }
  const event: AlarmEvent =
    action.type === 'shelve_expired' ? { type: 'shelve_expired', ts: now } : ({ ...action, ts: now } as AlarmEvent)
  const r = transition(isaStateOf(a), event)
  if (!r.ok) return { ok: false, message: r.message }
  const overlay = r.state.overlay
  const facts: DisposalFacts = { ...a.disposal, overlay }
  const actor = action.type === 'shelve_expired' ? 'system' : action.by
  const detail: Record<string, unknown> =
    action.type === 'shelve'
      ? { reason: action.reason, until: action.until }
      : action.type === 'remove_from_service'
        ? { reason: action.reason }
        : {}
  return {
    ok: true,
    facts,
    entry: { at: now, actor, action: action.type === 'shelve_expired' ? 'unshelve' : action.type, detail },
  }
}
