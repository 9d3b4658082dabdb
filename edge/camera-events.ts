import { randomUUID } from 'node:crypto'
import type { Logger } from 'pino'
import { errorMessage } from '../shared/errors.ts'
import type { CameraEvent, CameraSnapshotEvent, CameraSnapshotPart, SnapshotRequest } from '../shared/wire/camera.ts'
import { ErrorCodes } from '../shared/errors.ts'
import { budgetOf, payloadBytes, splitSnapshot } from './message-size.ts'
import type { Driver } from './drivers/driver.ts'
import { badSample, goodSample, type Sample } from '../shared/wire/sample.ts'
import { cameraPoints } from './drivers/onvif/config.ts'
import type { Outbox } from './outbox/outbox.ts'

/**
 * Camera events → the outbox, one batch per event (a snapshot makes a batch large; one event per
 * batch keeps each message bounded). Each batch also holds the sample the event implies, at the
 * event's time: `{camera}.online` for a status change, `{camera}.event` = the provincial code
 * (or '' when cleared) for an analytics event, `{camera}.snapshot` = the bytes of a requested one.
 */
export function eventSample(e: Exclude<CameraEvent, CameraSnapshotPart>): Sample {
  const ids = cameraPoints(e.camera)
  if (e.type === 'status') return goodSample(ids.online, e.ts, e.online)
  // A requested snapshot: its size, or bad with the reason it could not be taken.
  if (e.type === 'snapshot')
    return e.snapshot
      ? goodSample(ids.snapshot, e.ts, e.snapshot.bytes)
      : badSample(ids.snapshot, e.ts, `snapshot:${e.snapshotError ?? 'not taken'}`.slice(0, 256))
  return goodSample(ids.event, e.ts, e.type === 'clear' ? '' : e.code)
}

/**
 * A snapshot too large for one message under `maxMessageBytes` goes in parts, each in a batch
 * with the event's sample, before the event itself (edge/message-size.ts). One that cannot fit
 * even so goes without its picture, with PL_MESSAGE_TOO_LARGE as the reason, and is counted.
 */
export function appendCameraEvents(
  outbox: Outbox,
  events: readonly CameraEvent[],
  log: Logger,
  maxMessageBytes: number,
  onTooLarge: () => void = () => {},
): number {
  let written = 0
  const budget = budgetOf(maxMessageBytes)
  for (const e of events) {
    if (e.type === 'part') continue // made here, never by a driver
    try {
      const sample = eventSample(e)
      let pieces = splitSnapshot(e, payloadBytes([sample]), budget)
      if (pieces === null && e.type !== 'status' && e.snapshot) {
        const reason = `${ErrorCodes.MESSAGE_TOO_LARGE}: a snapshot of ${e.snapshot.bytes} bytes does not fit ${maxMessageBytes}-byte messages`
        log.error(
          {
            camera: e.camera,
            event: e.id,
            code: ErrorCodes.MESSAGE_TOO_LARGE,
            bytes: e.snapshot.bytes,
            maxMessageBytes,
            hint: "raise uplink.maxMessageBytes together with the broker's message_size_limit, or lower the camera's snapshot resolution",
          },
          'snapshot not sent: too large for the broker',
        )
        onTooLarge()
        const { snapshot: _dropped, ...rest } = e
        pieces = [{ ...rest, snapshotError: reason }]
      }
      for (const piece of pieces ?? []) outbox.append([sample], undefined, [piece])
      written++
    } catch (err) {
      log.error(
        { camera: e.camera, event: e.id, type: e.type, err: errorMessage(err) },
        'camera event lost: the outbox refused it',
      )
    }
  }
  return written
}

/**
 * The park asks for snapshots for one of its alarms: each named camera of this edge takes one
 * now; the answers (picture or reason) are `snapshot` events, appended like any other.
 */
export async function takeRequestedSnapshots(
  request: SnapshotRequest,
  drivers: readonly Driver[],
  now: () => number,
): Promise<CameraSnapshotEvent[]> {
  return await Promise.all(
    request.cameras.map(async (camera): Promise<CameraSnapshotEvent> => {
      const driver = drivers.find((d) => d.device === camera)
      const ts = now()
      const picture = driver?.snapshot
        ? await driver.snapshot().catch((err: unknown) => ({ snapshotError: errorMessage(err).slice(0, 256) }))
        : { snapshotError: `no camera "${camera}" on this edge` }
      return { id: randomUUID(), camera, ts, type: 'snapshot', alarm: request.alarm, request: request.id, ...picture }
    }),
  )
}
