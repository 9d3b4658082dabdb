import type { LimitKind } from '../../shared/rules/threshold.ts'
import { isOverdue, nextRecontactAt, provincialStatus, responseDueAt, type Disposal } from '../alarms/workflow.ts'
import type { AlarmRecord } from '../store/store.ts'
import { VideoCode } from '../../shared/wire/camera.ts'

/** Provincial alarm type (jiangsu-exchange #93): 01 high, 02 high-high, 03 low, 04 low-low. */
const ALARM_TYPE: Record<LimitKind, '01' | '02' | '03' | '04'> = { H: '01', HH: '02', L: '03', LL: '04' }

export const disposalOf = (a: AlarmRecord): Disposal => ({
  ...a.disposal,
  priority: a.priority,
  raisedAt: a.raisedAt,
  recoveredAt: a.recoveredAt,
  suppressed: false,
})

/** An alarm as the API shows it: the stored facts plus what follows from them now. */
export function alarmView(a: AlarmRecord, now: number) {
  // Video AI alarms carry their letter code (FYWL … RYYJ, exchange #160 告警类型).
  const alarmType =
    a.kind in ALARM_TYPE ? ALARM_TYPE[a.kind as LimitKind] : VideoCode.safeParse(a.kind).success ? a.kind : null
  const d = disposalOf(a)
  const { recontacts: _r, overdueAt: _o, ...facts } = a.disposal
  return {
    ...a,
    disposal: facts,
    responseDueAt: responseDueAt(d),
    overdue: isOverdue(d, now),
    nextRecontactAt: nextRecontactAt(d, now),
    // Comm-loss alarms have no provincial alarm type (the exchange codes are over-limit kinds).
    provincial: { alarmType, ...provincialStatus(d) },
  }
}
