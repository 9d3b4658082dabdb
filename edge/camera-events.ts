import type { Logger } from 'pino'
import { errorMessage } from '../shared/errors.ts'
import type { CameraEvent } from '../shared/wire/camera.ts'
import { goodSample, type Sample } from '../shared/wire/sample.ts'
import { cameraPoints } from './drivers/onvif/config.ts'
import type { Outbox } from './outbox/outbox.ts'

/**
 * Camera events → the outbox, one batch per event (a snapshot makes a batch large; one event per
 * batch keeps each message bounded). Each batch also holds the sample the event implies, at the
 * event's time: `{camera}.online` for a status change, `{camera}.event` = the provincial code
 * (or '' when cleared) for an analytics event.
 */
export function eventSample(e: CameraEvent): Sample {
  const ids = cameraPoints(e.camera)
  if (e.type === 'status') return goodSample(ids.online, e.ts, e.online)
  return goodSample(ids.event, e.ts, e.type === 'clear' ? '' : e.code)
}

export function appendCameraEvents(outbox: Outbox, events: readonly CameraEvent[], log: Logger): number {
  let written = 0
  for (const e of events) {
    try {
      outbox.append([eventSample(e)], undefined, [e])
      written++
    } catch (err) {
      log.error({ camera: e.camera, event: e.id, type: e.type, err: errorMessage(err) }, 'camera event lost: the outbox refused it')
    }
  }
  return written
}
