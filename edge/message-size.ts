import { randomUUID } from 'node:crypto'
import { MAX_SNAPSHOT_PARTS, type CameraEvent, type CameraSnapshotPart } from '../shared/wire/camera.ts'
import type { EdgeAlarm } from '../shared/wire/messages.ts'
import type { Sample } from '../shared/wire/sample.ts'

/**
 * Messages that fit the broker. Mosquitto drops a PUBLISH larger than its `message_size_limit`
 * without a word to a QoS 1 publisher (shipped: 1 MiB, deploy/mosquitto/parklink.conf), and the
 * edge would resend it forever. So the edge knows the limit (`uplink.maxMessageBytes`) and
 * never writes a batch whose message could exceed it: sample batches are cut by size as well
 * as by count, a snapshot too large for one message travels in parts, and what still does not
 * fit is refused at the edge with PL_MESSAGE_TOO_LARGE.
 *
 * The budget: the limit less ENVELOPE_RESERVE for what the uplink adds around a batch's payload
 * (version, edge, session, seq, floor, historical, outbox id and the gap records that ride with it).
 */
export const ENVELOPE_RESERVE = 16 * 1024
export const DEFAULT_MAX_MESSAGE_BYTES = 1024 * 1024

/** Bytes the batch's payload takes in the published JSON. */
export function payloadBytes(
  samples: readonly Sample[],
  alarms?: readonly EdgeAlarm[],
  events?: readonly CameraEvent[],
): number {
  return Buffer.byteLength(
    JSON.stringify({ samples, ...(alarms?.length ? { alarms } : {}), ...(events?.length ? { events } : {}) }),
    'utf8',
  )
}

export const budgetOf = (maxMessageBytes: number) => maxMessageBytes - ENVELOPE_RESERVE

/**
 * Samples cut into batches of at most `maxSamples` each, and each under the byte budget (with
 * `reserve` bytes kept free in the last one for the alarms that ride with it). A single sample
 * larger than the budget cannot be sent: it is returned in `tooLarge`.
 */
export function splitSamples(
  samples: readonly Sample[],
  maxSamples: number,
  budget: number,
  reserve = 0,
): { batches: Sample[][]; tooLarge: Sample[] } {
  const batches: Sample[][] = []
  const tooLarge: Sample[] = []
  let current: Sample[] = []
  // `{"samples":[` … `]}` and a comma between samples.
  let size = 14
  const sizes = samples.map((s) => Buffer.byteLength(JSON.stringify(s), 'utf8') + 1)
  samples.forEach((s, i) => {
    const n = sizes[i]!
    if (14 + n + reserve > budget) return void tooLarge.push(s)
    if (current.length > 0 && (current.length >= maxSamples || size + n + reserve > budget)) {
      batches.push(current)
      current = []
      size = 14
    }
    current.push(s)
    size += n
  })
  if (current.length > 0) batches.push(current)
  return { batches, tooLarge }
}

/**
 * An event whose snapshot would make its message too large becomes its parts (each a batch of
 * its own, written first) and the event with the snapshot's metadata and `parts: N`; an event
 * that fits is returned as it is. Null: even split, it cannot be sent (more parts than the wire
 * allows).
 */
export function splitSnapshot(e: CameraEvent, sampleBytes: number, budget: number): CameraEvent[] | null {
  if (
    e.type === 'status' ||
    e.type === 'part' ||
    !e.snapshot ||
    payloadBytes([], undefined, [e]) + sampleBytes <= budget
  )
    return [e]
  const data = e.snapshot.data
  // A part's own fields take < 256 bytes; its base64 is cut at a multiple of 4 so each decodes alone.
  const chars = Math.floor((budget - sampleBytes - 512) / 4) * 4
  if (chars < 4) return null
  const count = Math.ceil(data.length / chars)
  if (count > MAX_SNAPSHOT_PARTS) return null
  const parts: CameraSnapshotPart[] = Array.from({ length: count }, (_, index) => ({
    id: randomUUID(),
    camera: e.camera,
    ts: e.ts,
    type: 'part',
    snapshot: e.snapshot!.id,
    index,
    count,
    data: data.slice(index * chars, (index + 1) * chars),
  }))
  return [...parts, { ...e, snapshot: { ...e.snapshot, data: '', parts: count } }]
}
