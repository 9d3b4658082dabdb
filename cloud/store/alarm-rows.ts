import type { Priority } from '../../shared/rules/priority.ts'
import { noFacts, type DisposalFacts } from '../alarms/workflow.ts'
import type { AlarmKind, AlarmRecord } from '../alarms/model.ts'
import type { NewAlarm } from '../alarms/engine/writes.ts'

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

/** An alarms row (either engine's, read with its point's or camera's name and enterprise) as the API's record. */
export function alarmRecordOf({
  alarm,
  pointName,
  enterprise,
}: {
  alarm: Omit<AlarmRecord, 'pointName' | 'enterprise' | 'kind' | 'priority' | 'disposal'> & {
    kind: string
    priority: string
    disposal: DisposalFacts | null
  }
  pointName: string | null
  enterprise: string | null
}): AlarmRecord {
  return {
    id: alarm.id,
    point: alarm.point,
    pointName,
    enterprise,
    kind: alarm.kind as AlarmKind,
    priority: alarm.priority as Priority,
    raisedAt: alarm.raisedAt,
    value: alarm.value,
    limit: alarm.limit,
    recoveredAt: alarm.recoveredAt,
    recoveredValue: alarm.recoveredValue,
    state: alarm.state,
    closedAt: alarm.closedAt,
    repeats: alarm.repeats,
    disposal: alarm.disposal ?? noFacts(),
  }
}
