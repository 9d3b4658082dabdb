import type { CameraAlarmEvent } from '../../../shared/wire/camera.ts'
import type { AlarmWrite } from './writes.ts'

/** The alarm point of a camera (its video alarms and its comm loss). */
export const cameraAlarmPoint = (camera: string) => `camera:${camera}`

/**
 * A camera's analytics event as an alarm write on `camera:{id}`, of the provincial video code:
 * `clear` recovers the active one; `raise` opens one (a detector that keeps firing joins the
 * active one: the adapter links the event to it); `pulse` is instantaneous, over when seen
 * (a person still closes it).
 */
export function videoEventWrite(e: CameraAlarmEvent): AlarmWrite {
  const point = cameraAlarmPoint(e.camera)
  if (e.type === 'clear')
    return {
      type: 'active',
      point,
      kind: e.code,
      patch: { state: 'recovered', recoveredAt: e.ts, recoveredValue: 0 },
      entry: { at: e.ts, actor: 'system', action: 'recover', detail: { topic: e.topic } },
      tell: [{ action: 'recover', at: e.ts }],
    }
  const entry = {
    at: e.ts,
    actor: 'system',
    action: 'raise' as const,
    detail: {
      kind: e.kind,
      code: e.code,
      topic: e.topic,
      priority: e.priority,
      ...(e.snapshotError ? { snapshotError: e.snapshotError } : {}),
    },
  }
  const pulse =
    e.type === 'pulse'
      ? {
          andThen: {
            patch: { state: 'recovered' as const, recoveredAt: e.ts, recoveredValue: 0 },
            entry: { at: e.ts, actor: 'system', action: 'recover' as const, detail: { instantaneous: true } },
            tell: [{ action: 'recover' as const, at: e.ts }],
          },
        }
      : {}
  return {
    type: 'raise',
    alarm: { point, kind: e.code, priority: e.priority, raisedAt: e.ts, value: 1, limit: 0 },
    entries: [entry],
    tell: [{ action: 'raise', at: e.ts }],
    ...pulse,
  }
}
