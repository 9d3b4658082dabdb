import { deflateRawSync, inflateRawSync } from 'node:zlib'
import type { CameraEvent } from '../../shared/wire/camera.ts'
import type { EdgeAlarm } from '../../shared/wire/messages.ts'
import type { Sample } from '../../shared/wire/sample.ts'

/**
 * A batch's payload in the outbox: the JSON of its samples (and alarms, camera events), raw-deflated at level
 * 1 into a BLOB. Point ids repeat in every read, so this takes a batch of 500 readings from
 * ≈ 79 to ≈ 8–15 bytes per sample for ≈ 60 µs of CPU, far less than the commit's fsync: a week of
 * 1 000 points at 1 s then fits in a few GB. Files written before (TEXT JSON) stay readable.
 */
export interface Payload {
  samples: Sample[]
  alarms?: EdgeAlarm[]
  events?: CameraEvent[]
}

export function encodePayload(
  samples: readonly Sample[],
  alarms?: readonly EdgeAlarm[],
  events?: readonly CameraEvent[],
): Buffer {
  // A batch with alarms or events is an object; samples alone are a plain array (as format 1 had them).
  const extra = {
    ...(alarms && alarms.length > 0 ? { alarms } : {}),
    ...(events && events.length > 0 ? { events } : {}),
  }
  return deflateRawSync(
    Buffer.from(JSON.stringify(Object.keys(extra).length > 0 ? { samples, ...extra } : samples), 'utf8'),
    { level: 1 },
  )
}

export function decodePayload(stored: Buffer | string): Payload {
  const json = typeof stored === 'string' ? stored : inflateRawSync(stored).toString('utf8')
  const parsed = JSON.parse(json) as Sample[] | Payload
  if (Array.isArray(parsed)) return { samples: parsed }
  return {
    samples: parsed.samples,
    ...(parsed.alarms ? { alarms: parsed.alarms } : {}),
    ...(parsed.events ? { events: parsed.events } : {}),
  }
}
