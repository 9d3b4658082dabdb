import type { Priority } from '../../../shared/rules/priority.ts'
import type { SystemAlarmKind } from '../model.ts'
import type { AlarmWrite } from './writes.ts'

/** The alarm point of an edge (its comm loss, clock and security events). */
export const edgeAlarmPoint = (edge: string) => `edge:${edge}`

export interface SystemRaise {
  point: string
  kind: SystemAlarmKind
  priority: Priority
  ts: number
  value: number
  limit: number
}

/** A watcher's alarm (comm loss, clock): raised unless one is active; CLOCK reads offset and threshold in seconds, the others silence and limit. */
export function systemRaiseWrite(a: SystemRaise): AlarmWrite {
  const detail = a.kind === 'CLOCK' ? { offsetS: a.value, thresholdS: a.limit } : { silentS: a.value, afterS: a.limit }
  return {
    type: 'raise',
    alarm: { point: a.point, kind: a.kind, priority: a.priority, raisedAt: a.ts, value: a.value, limit: a.limit },
    entries: [
      { at: a.ts, actor: 'system', action: 'raise', detail: { kind: a.kind, priority: a.priority, ...detail } },
    ],
    tell: [{ action: 'raise', at: a.ts }],
  }
}

export function systemRecoverWrite(point: string, kind: SystemAlarmKind, ts: number, value: number): AlarmWrite {
  return {
    type: 'active',
    point,
    kind,
    patch: { state: 'recovered', recoveredAt: ts, recoveredValue: value },
    entry: { at: ts, actor: 'system', action: 'recover', detail: {} },
    tell: [{ action: 'recover', at: ts }],
  }
}

export interface SecurityFacts {
  edge: string
  reason: string
  code: string
  items: readonly string[]
  at: number
  priority: Priority
}

/**
 * An edge sent what it does not own (issue 13): one SECURITY alarm per edge until a person
 * closes it. An event, so it is raised and recovered at once (a closed episode a person
 * triages and closes); later refusals join its timeline (`open`: that alarm's id).
 */
export function securityWrite(e: SecurityFacts, open: number | null): AlarmWrite {
  const detail = securityDetail(e)
  if (open !== null)
    return {
      type: 'update',
      id: open,
      patch: {},
      entry: { at: e.at, actor: `edge:${e.edge}`, action: 'refused', detail },
      tell: [],
    }
  return {
    type: 'episode',
    alarm: {
      point: edgeAlarmPoint(e.edge),
      kind: 'SECURITY',
      priority: e.priority,
      raisedAt: e.at,
      value: e.items.length,
      limit: 0,
      recovered: { at: e.at, value: 0 },
    },
    entries: [
      { at: e.at, actor: 'system', action: 'raise', detail: { kind: 'SECURITY', priority: e.priority, ...detail } },
      { at: e.at, actor: 'system', action: 'recover', detail: { instantaneous: true } },
    ],
    tell: [
      { action: 'raise', at: e.at },
      { action: 'recover', at: e.at },
    ],
  }
}

export const securityDetail = (e: SecurityFacts) => ({ reason: e.reason, code: e.code, items: [...e.items] })
