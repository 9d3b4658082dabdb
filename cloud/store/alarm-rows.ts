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
