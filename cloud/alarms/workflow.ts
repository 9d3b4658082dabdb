import type { Priority } from '../../shared/rules/priority.ts'

/**
 * The park's disposal workflow for one alarm (brief §5, 001:L6920–6960), pure: every action
 * is checked against the alarm's facts and yields the next facts plus one append-only timeline
 * entry, or a refusal that names the current state (the API's 409).
 *
 * "Recovered" (the value came back, set by the rules) and "closed" (a person finished it) are
 * separate facts. Every alarm is triaged — valid, invalid (a transient exceedance that
 * recovered: 数据瞬时超限报警，及时恢复正常) or false (mostly video) — and ends closed by the
 * center, with who, when and what.
 */
export type Verdict = 'valid' | 'invalid' | 'false'

/** What people did (stored as the alarm's `disposal`). */
export interface DisposalFacts {
  ack: { by: string; at: number } | null
  triage: { verdict: Verdict; by: string; at: number; note: string } | null
  feedback: { cause: string; measures: string; by: string; at: number } | null
  closed: { by: string; at: number; note: string } | null
  /** Re-contact reminders issued so far. */
  recontacts?: number
  /** When the response deadline passed unanswered (noted once). */
  overdueAt?: number
  /** ISA-18.2 overlay: shelved (until a time, with a reason) or out of service; null: annunciated. */
  overlay?: import('../../shared/rules/isa18.ts').Overlay | null
}

export interface Disposal extends DisposalFacts {
  priority: Priority
  raisedAt: number
  recoveredAt: number | null
  /** Inside an approved maintenance window: no enterprise feedback is asked for. */
  suppressed: boolean
}

export const noFacts = (): DisposalFacts => ({ ack: null, triage: null, feedback: null, closed: null })

export type Action =
  | { type: 'ack'; by: string }
  | { type: 'triage'; by: string; verdict: Verdict; note?: string }
  | { type: 'feedback'; by: string; cause: string; measures: string }
  | { type: 'close'; by: string; note?: string }

export interface TimelineEntry {
  at: number
  actor: string
  action:
    | Action['type']
    | 'raise'
    | 'recover'
    | 'recontact_due'
    | 'overdue'
    | 'edge_raise'
    | 'edge_recover'
    | 'shelve'
    | 'unshelve'
    | 'remove_from_service'
    | 'return_to_service'
    | 'chattering'
    | 'repeat'
    | 'refused'
  detail: Record<string, unknown>
}

export type ActResult =
  | { ok: true; disposal: Disposal; entry: TimelineEntry }
  | { ok: false; code: 'ALARM_STATE_CONFLICT' | 'BAD_REQUEST'; message: string; status: ProvincialStatus }

export interface WorkflowConfig {
  /** Response deadline by priority (brief §5: S and A within 3 min, others within 10). */
  responseMs: Record<Priority, number>
  /** A valid sensor alarm not recovered this long after it was raised prompts another contact. */
  recontactMs: number
}

export const defaultWorkflowConfig: WorkflowConfig = Object.freeze({
  responseMs: Object.freeze({ S: 180_000, A: 180_000, B: 600_000, C: 600_000, D: 600_000 }),
  recontactMs: 600_000,
}) as WorkflowConfig

export const newDisposal = (priority: Priority, raisedAt: number): Disposal => ({
  priority,
  raisedAt,
  recoveredAt: null,
  suppressed: false,
  ...noFacts(),
})

/** Provincial codes (jiangsu-exchange #93): AS alarm status, DS disposal status, false alarm 0/1. */
export interface ProvincialStatus {
  alarmStatus: '01' | '02' | '03'
  disposalStatus: '01' | '02' | '03'
  falseAlarm: 0 | 1
}

export function provincialStatus(d: Disposal): ProvincialStatus {
  return {
    // 01 ongoing, 02 cleared (销警: the value recovered), 03 ended (closed by a person).
    alarmStatus: d.closed ? '03' : d.recoveredAt !== null ? '02' : '01',
    // 01 not handled, 02 handling (someone responded), 03 handled (closed).
    disposalStatus: d.closed ? '03' : d.ack || d.triage || d.feedback ? '02' : '01',
    falseAlarm: d.triage?.verdict === 'false' ? 1 : 0,
  }
}

/** When the first response (ack or triage) is due. */
export const responseDueAt = (d: Disposal, config: WorkflowConfig = defaultWorkflowConfig): number =>
  d.raisedAt + config.responseMs[d.priority]

/** Overdue: no response by the deadline (a late response leaves the alarm marked overdue). */
export function isOverdue(d: Disposal, now: number, config: WorkflowConfig = defaultWorkflowConfig): boolean {
  const due = responseDueAt(d, config)
  const respondedAt = Math.min(d.ack?.at ?? Infinity, d.triage?.at ?? Infinity)
  return Math.min(respondedAt, now) > due
}

/**
 * When the next re-contact reminder is due: a valid alarm, not recovered, not closed, every
 * `recontactMs` from when it was raised. null when none is due any more.
 */
export function nextRecontactAt(
  d: Disposal,
  now: number,
  config: WorkflowConfig = defaultWorkflowConfig,
): number | null {
  if (d.triage?.verdict !== 'valid' || d.recoveredAt !== null || d.closed !== null || d.suppressed) return null
  const n = Math.max(1, Math.floor((now - d.raisedAt) / config.recontactMs) + 1)
  return d.raisedAt + n * config.recontactMs
}

const conflict = (d: Disposal, message: string): ActResult => ({
  ok: false,
  code: 'ALARM_STATE_CONFLICT',
  message,
  status: provincialStatus(d),
})
const bad = (d: Disposal, message: string): ActResult => ({
  ok: false,
  code: 'BAD_REQUEST',
  message,
  status: provincialStatus(d),
})

export function act(d: Disposal, action: Action, now: number): ActResult {
  if (!action.by.trim()) return bad(d, 'every step names the person who takes it (by)')
  if (d.closed) return conflict(d, `the alarm was closed by ${d.closed.by}: nothing more can be done on it`)
  const entry = (detail: Record<string, unknown>): TimelineEntry => ({
    at: now,
    actor: action.by,
    action: action.type,
    detail,
  })
  switch (action.type) {
    case 'ack':
      if (d.ack) return conflict(d, `already acknowledged by ${d.ack.by}`)
      return { ok: true, disposal: { ...d, ack: { by: action.by, at: now } }, entry: entry({}) }
    case 'triage': {
      if (action.verdict === 'invalid' && d.recoveredAt === null) {
        return conflict(d, 'invalid means a transient exceedance that already recovered; this alarm is still active')
      }
      const triage = { verdict: action.verdict, by: action.by, at: now, note: action.note ?? '' }
      // Triage is a response: it acknowledges too, if no one had.
      const ack = d.ack ?? { by: action.by, at: now }
      return {
        ok: true,
        disposal: { ...d, triage, ack },
        entry: entry({
          verdict: action.verdict,
          ...(d.triage ? { previous: d.triage.verdict } : {}),
          note: triage.note,
        }),
      }
    }
    case 'feedback':
      if (d.suppressed)
        return conflict(d, 'the alarm was raised inside an approved maintenance window: no feedback is asked for')
      if (!action.cause.trim() || !action.measures.trim())
        return bad(d, 'feedback needs both the cause and the measures taken')
      return {
        ok: true,
        disposal: { ...d, feedback: { cause: action.cause, measures: action.measures, by: action.by, at: now } },
        entry: entry({ cause: action.cause, measures: action.measures }),
      }
    case 'close': {
      if (!d.triage) return conflict(d, 'triage the alarm (valid, invalid or false) before closing it')
      if (d.recoveredAt === null && d.triage.verdict === 'valid')
        return conflict(d, 'a valid alarm closes after its value recovered; keep contacting the enterprise')
      if (d.triage.verdict === 'valid' && !d.feedback && !d.suppressed && !action.note?.trim()) {
        return conflict(
          d,
          "a valid alarm closes with the enterprise's feedback (cause and measures), or with a note saying why there is none",
        )
      }
      const closed = { by: action.by, at: now, note: action.note ?? '' }
      return { ok: true, disposal: { ...d, closed }, entry: entry({ note: closed.note }) }
    }
  }
}
