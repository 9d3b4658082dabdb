import { LimitKinds, type LimitKind } from '../../shared/rules/threshold.ts'
import { VideoCode } from '../../shared/wire/camera.ts'
import type { AlarmRecord } from '../alarms/model.ts'
import { provincialStatus } from '../alarms/workflow.ts'
import { deviceOf, personId, type MapContext, type Mapped } from './context.ts'

/**
 * Alarms → their closure records, pure: over-limit alarms of indicators in #93's field list,
 * video AI alarms as #160. Other kinds (comm loss, rate of change, digital, clock, security)
 * have no provincial code and are not exchanged (a choice, README).
 */
const ALARM_TYPE: Record<LimitKind, string> = { H: '01', HH: '02', L: '03', LL: '04' }
const KIND_LABEL: Record<LimitKind, string> = { H: '高报', HH: '高高报', L: '低报', LL: '低低报' }

export const isLimitAlarm = (a: AlarmRecord): boolean => (LimitKinds as readonly string[]).includes(a.kind)
export const isVideoAlarm = (a: AlarmRecord): boolean => VideoCode.safeParse(a.kind).success

function status(a: AlarmRecord) {
  return provincialStatus({
    ...a.disposal,
    priority: a.priority,
    raisedAt: a.raisedAt,
    recoveredAt: a.recoveredAt,
    suppressed: false,
  })
}

/** 处置措施: the enterprise's reported measures, else the closing note, else the triage note. */
const measures = (a: AlarmRecord): string | null =>
  a.disposal.feedback?.measures || a.disposal.closed?.note || a.disposal.triage?.note || null

export function mapLimitAlarm(a: AlarmRecord, ctx: MapContext): Mapped {
  const kind = a.kind as LimitKind
  const s = status(a)
  const source = ctx.points.get(a.point)
  const deviceId = source ? deviceOf(source) : null
  const device = deviceId ? ctx.devices.get(deviceId) : undefined
  const unit = source?.point.unit ?? ''
  return {
    key: String(a.id),
    row: {
      id: ctx.id('93', String(a.id)),
      park_id: ctx.config.parkCode,
      parking_lot_code: device?.category === '03' ? device.parkingLot : null,
      alarm_no: String(a.id),
      indicator_id: ctx.id('152', a.point),
      alarm_time: ctx.time(a.raisedAt),
      alarm_content: `${a.pointName ?? a.point} ${KIND_LABEL[kind]}: ${a.value}${unit} (限值 ${a.limit}${unit})`,
      alarm_type: ALARM_TYPE[kind],
      alarm_status: s.alarmStatus,
      disposal_status: s.disposalStatus,
      disposal_time: ctx.time(a.disposal.closed?.at),
      clear_time: ctx.time(a.recoveredAt),
      disposal_measures: measures(a),
      handler_id: personId(ctx, a.disposal.closed?.by),
      is_false_alarm: String(s.falseAlarm),
    },
    fixes: {
      disposal_measures: `alarm ${a.id} was closed without measures: record them with POST /api/v1/alarms/${a.id}/feedback`,
    },
  }
}

/** #160: a camera's AI alarm (point `camera:{id}`), with its first snapshot as the alarm picture. */
export function mapVideoAlarm(a: AlarmRecord, snapshot: string | null, ctx: MapContext): Mapped {
  const s = status(a)
  const camera = a.point.replace(/^camera:/, '')
  return {
    key: String(a.id),
    row: {
      id: ctx.id('160', String(a.id)),
      park_id: ctx.config.parkCode,
      alarm_type: a.kind,
      alarm_time: ctx.time(a.raisedAt),
      clear_time: ctx.time(a.recoveredAt),
      alarm_image: snapshot === null ? null : `/api/v1/snapshots/${snapshot}`,
      device_id: ctx.id('159', camera),
      // The park's monitoring center is told of every alarm when it is raised (a choice).
      notify_target_type: '01',
      notify_time: ctx.time(a.raisedAt),
      disposal_measures: measures(a),
      disposal_status: s.disposalStatus,
      is_false_alarm: String(s.falseAlarm),
      disposal_time: ctx.time(a.disposal.closed?.at),
      handler_id: personId(ctx, a.disposal.closed?.by),
    },
    fixes: { alarm_image: `alarm ${a.id} has no snapshot: ask one with POST /api/v1/alarms/${a.id}/snapshots` },
  }
}
