import { deflateRawSync, inflateRawSync } from 'node:zlib'
import type { CameraEvent } from '../../shared/wire/camera.ts'
import type { EdgeAlarm } from '../../shared/wire/messages.ts'
import type { Sample } from '../../shared/wire/sample.ts'
import { ErrorCodes, ParklinkError } from '../../shared/errors.ts'
import { isSealed, type AtRestCipher } from '../at-rest/cipher.ts'

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

/** What a sealed payload is bound to (cipher.ts: the tag covers it). */
export const PAYLOAD_PURPOSE = 'outbox.payload'

export interface PayloadCodec {
  encode(samples: readonly Sample[], alarms?: readonly EdgeAlarm[], events?: readonly CameraEvent[]): Buffer
  decode(stored: Buffer | string): Payload
}

/**
 * With a cipher (storage.encryption), each deflated payload is sealed with SM4 (at-rest/cipher.ts);
 * payloads written before encryption was turned on stay readable as they are. Only the payload
 * is sealed: seq, created_at, sample_count, min_ts, max_ts and bytes stay clear, because the
 * outbox orders, evicts and counts by them (they carry no measured value).
 */
export function createPayloadCodec(cipher?: AtRestCipher): PayloadCodec {
  return {
    encode: (samples, alarms, events) => {
      const plain = encodePayload(samples, alarms, events)
      return cipher ? cipher.seal(plain, PAYLOAD_PURPOSE) : plain
    },
    decode: (stored) => {
      if (typeof stored === 'string' || !isSealed(stored)) return decodePayload(stored)
      if (!cipher)
        throw new ParklinkError(
          ErrorCodes.AT_REST_KEY,
          'the outbox holds batches sealed at rest, and no key is configured',
          {
            hint: 'configure storage.encryption.keyFile with the key file they were written with',
          },
        )
      return decodePayload(cipher.open(stored, PAYLOAD_PURPOSE))
    },
  }
}
