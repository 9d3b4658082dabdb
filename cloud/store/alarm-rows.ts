import type { Priority } from '../../shared/rules/priority.ts'
import type { NewAlarm } from '../alarms/engine/writes.ts'
import type { AlarmChange, AlarmKind, AlarmRecord, TimelineChange } from '../alarms/model.ts'
import { noFacts, type DisposalFacts, type TimelineEntry } from '../alarms/workflow.ts'

/** A new alarm as the alarms table takes it (the same columns on both engines' schemas). */
export function alarmRowOf(a: NewAlarm) {
  return {
    point: a.point,
    kind: a.kind,
    priority: a.priority,
    raisedAt: a.raisedAt,
    value: a.value,
    limit: a.limit,
    ...(a.recovered
      ? { recoveredAt: a.recovered.at, recoveredValue: a.recovered.value, state: 'recovered' as const }
      : {}),
    ...(a.repeats === undefined ? {} : { repeats: a.repeats }),
  }
}

/** An alarm row as both engines' schemas read it (their `alarms` columns): the record without its owner, kind and priority as text. */
export type StoredAlarmRow = Omit<
  AlarmRecord,
  'pointName' | 'enterprise' | 'kind' | 'priority' | 'disposal' | 'repeats'
> & {
  kind: string
  priority: string
  repeats: number
  disposal: DisposalFacts | null
}

/** An alarm as the API shows it, from its row and its point's (or camera's) name and enterprise. */
export const alarmRecordOf = (r: {
  alarm: StoredAlarmRow
  pointName: string | null
  enterprise: string | null
}): AlarmRecord => ({
  id: r.alarm.id,
  point: r.alarm.point,
  pointName: r.pointName,
  enterprise: r.enterprise,
  kind: r.alarm.kind as AlarmKind,
  priority: r.alarm.priority as Priority,
  raisedAt: r.alarm.raisedAt,
  value: r.alarm.value,
  limit: r.alarm.limit,
  recoveredAt: r.alarm.recoveredAt,
  recoveredValue: r.alarm.recoveredValue,
  state: r.alarm.state,
  closedAt: r.alarm.closedAt,
  repeats: r.alarm.repeats,
  disposal: r.alarm.disposal ?? noFacts(),
})

/** A timeline row as the API shows it. */
export const timelineEntryOf = (e: {
  at: number
  actor: string
  action: string
  detail: Record<string, unknown>
}): TimelineEntry => ({ at: e.at, actor: e.actor, action: e.action as TimelineEntry['action'], detail: e.detail })

/** A timeline row read back as the change the live stream told (the stream's resume). */
export const timelineChangeOf = (r: {
  id: number
  alarm: number
  at: number
  action: string
  detail: Record<string, unknown>
}): TimelineChange => ({
  id: r.id,
  change: {
    alarm: r.alarm,
    action: r.action as AlarmChange['action'],
    at: r.at,
    ...(r.detail.historical === true ? { historical: true } : {}),
  },
})
