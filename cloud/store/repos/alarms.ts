import type { Priority } from '../../../shared/rules/priority.ts'
import type {
  AlarmActOutcome,
  AlarmChange,
  AlarmKind,
  AlarmRecord,
  IsaAction,
  SystemAlarmKind,
  TimelineChange,
} from '../../alarms/model.ts'
import type { Action, DisposalFacts, TimelineEntry } from '../../alarms/workflow.ts'
import type { Scope } from '../../auth/roles.ts'

/**
 * Alarms and their append-only timeline. Every change is one transaction that checks the step
 * against the stored state (cloud/alarms/workflow.ts, isa.ts), appends its timeline entries
 * and plans its pushes (PushPlanner), then tells the change.
 */
export interface AlarmRepo {
  /** Newest first. */
  listAlarms(filter: AlarmFilter): Promise<AlarmRecord[]>
  getAlarm(id: number, scope: Scope): Promise<AlarmRecord | null>
  /** Every step of an alarm, oldest first; null for an unknown alarm. */
  alarmTimeline(id: number, scope: Scope): Promise<TimelineEntry[] | null>
  /** A person's step in the park's workflow (cloud/alarms/workflow.ts), checked against the alarm's state. */
  actOnAlarm(id: number, action: Action, now: number, scope: Scope): Promise<AlarmActOutcome>
  /** Shelve, unshelve, take out of or return to service (ISA-18.2), or a shelve's expiry. */
  overlayAlarm(
    id: number,
    action: IsaAction | { type: 'shelve_expired' },
    now: number,
    scope: Scope,
  ): Promise<AlarmActOutcome>
  /** A system step (re-contact reminder, overdue) and the facts it changes. */
  noteAlarm(id: number, entry: TimelineEntry, facts: DisposalFacts): Promise<void>
  /** Comm-loss alarms (raised and recovered by a watcher, not by samples). Raise is a no-op while one is active. */
  raiseSystemAlarm(a: {
    point: string
    kind: SystemAlarmKind
    priority: Priority
    ts: number
    value: number
    limit: number
  }): Promise<boolean>
  recoverSystemAlarm(point: string, kind: SystemAlarmKind, ts: number, value: number): Promise<boolean>
  /** Changes of visible alarms after timeline entry `after`, oldest first (the stream's resume); `skip`: actions not streamed. */
  alarmChangesSince(after: number, scope: Scope, limit: number, skip: readonly string[]): Promise<TimelineChange[]>
  /** The timeline entry id a live change was written as, if it was. */
  alarmChangeEntry(change: AlarmChange): Promise<number | null>
}

export interface AlarmFilter {
  /** Whose alarms: 'all' or one enterprise (enforced in SQL). */
  scope: Scope
  /** active: the condition holds; open: not closed by a person yet; all. */
  state: 'active' | 'open' | 'all'
  point?: string
  priority?: Priority
  kind?: AlarmKind
  enterprise?: string
  /** Text in the point id or the point's name. */
  text?: string
  /** Raised at or after / before (epoch ms). */
  raisedFrom?: number
  raisedTo?: number
  limit: number
  offset?: number
}
