import type { CameraEvent } from '../../shared/wire/camera.ts'

/** A camera event's row in `camera_events` (the same columns on both engines); parts of a snapshot are files, never rows. */
export function cameraEventRow(edge: string, e: Exclude<CameraEvent, { type: 'part' }>) {
  const analytics = e.type === 'raise' || e.type === 'clear' || e.type === 'pulse'
  return {
    id: e.id,
    camera: e.camera,
    edge,
    type: e.type,
    ts: e.ts,
    topic: analytics ? e.topic : null,
    code: analytics ? e.code : null,
    alarm: e.type === 'snapshot' ? e.alarm : null,
    snapshotError: e.type === 'status' ? null : (e.snapshotError ?? null),
    online: e.type === 'status' ? e.online : null,
  }
}
