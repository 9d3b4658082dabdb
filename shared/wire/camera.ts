import { z } from 'zod'
import { Priority } from '../rules/priority.ts'
import { TopicId } from './ids.ts'

/**
 * Cameras on the wire. A camera's events travel in the edge's data batches (the same outbox,
 * the same cloud ack as samples), so an event raised while the uplink is down arrives later
 * with its original time, and its snapshot with it.
 */

/** Provincial video AI alarm types (jiangsu-exchange #158/#160, brief §5). */
export const VideoCode = z.enum([
  'FYWL',
  'ZBLG',
  'ZBSG',
  'RYJJ',
  'DDH',
  'CHY',
  'WDAQM',
  'WCGZF',
  'HZ',
  'XL',
  'YW',
  'RYRQ',
  'RYYJ',
])
export type VideoCode = z.infer<typeof VideoCode>

/** Largest snapshot the wire accepts (the edge's own limit is configurable below it). */
export const MAX_SNAPSHOT_BYTES = 4 * 1024 * 1024
/** A snapshot travels in at most this many parts. */
export const MAX_SNAPSHOT_PARTS = 64

export const Snapshot = z.object({
  /** Unique (uuid): the cloud stores each snapshot once, whatever the resends. */
  id: z.string().regex(/^[0-9a-f-]{36}$/, 'a uuid'),
  ts: z.number().int(),
  contentType: z.literal('image/jpeg'),
  bytes: z.number().int().positive().max(MAX_SNAPSHOT_BYTES),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  /** The JPEG, base64; empty when it travels in `parts` part events (CameraSnapshotPart). */
  data: z.string().max(Math.ceil(MAX_SNAPSHOT_BYTES / 3) * 4),
  /**
   * The JPEG did not fit one message under the broker's limit (Mosquitto `message_size_limit`):
   * its base64 travels in this many `part` events, each in a batch of its own, written before
   * this event; the cloud joins them and checks bytes and sha256 before it links the picture.
   */
  parts: z.number().int().min(2).max(MAX_SNAPSHOT_PARTS).optional(),
})
export type Snapshot = z.infer<typeof Snapshot>

const Base = { id: z.string().regex(/^[0-9a-f-]{36}$/, 'a uuid'), camera: TopicId, ts: z.number().int() }

/**
 * An analytics event of a camera mapped to a parklink kind and provincial code: `raise` and
 * `clear` for stateful detectors (ObjectsInside true/false), `pulse` for instantaneous ones
 * (a line crossed). The snapshot was taken when the edge saw the event; `snapshotError` says why
 * there is none.
 */
export const CameraAlarmEvent = z.object({
  ...Base,
  type: z.enum(['raise', 'clear', 'pulse']),
  topic: z.string().min(1).max(256),
  kind: z.string().min(1).max(64),
  code: VideoCode,
  priority: Priority,
  snapshot: Snapshot.optional(),
  snapshotError: z.string().max(256).optional(),
})
export type CameraAlarmEvent = z.infer<typeof CameraAlarmEvent>

/** A camera went offline or came back (seen by the edge's health check), with the reason. */
export const CameraStatusEvent = z.object({
  ...Base,
  type: z.literal('status'),
  online: z.boolean(),
  reason: z.string().max(256).optional(),
})
export type CameraStatusEvent = z.infer<typeof CameraStatusEvent>

/** A snapshot the park asked for (a SnapshotRequest), for one of its alarms. */
export const CameraSnapshotEvent = z.object({
  ...Base,
  type: z.literal('snapshot'),
  /** The cloud's alarm id named in the request. */
  alarm: z.number().int().positive(),
  request: z.string().regex(/^[0-9a-f-]{36}$/, 'a uuid'),
  snapshot: Snapshot.optional(),
  snapshotError: z.string().max(256).optional(),
})
export type CameraSnapshotEvent = z.infer<typeof CameraSnapshotEvent>

/**
 * One part of a snapshot too large for one message: `data` is a slice of its base64 (cut at a
 * multiple of 4 characters), `index` of `count`. Carries no meaning of its own: the event whose
 * snapshot has this id and `parts: count` does.
 */
export const CameraSnapshotPart = z.object({
  ...Base,
  type: z.literal('part'),
  snapshot: z.string().regex(/^[0-9a-f-]{36}$/, 'a uuid'),
  index: z
    .number()
    .int()
    .min(0)
    .max(MAX_SNAPSHOT_PARTS - 1),
  count: z.number().int().min(2).max(MAX_SNAPSHOT_PARTS),
  data: z
    .string()
    .min(4)
    .max(Math.ceil(MAX_SNAPSHOT_BYTES / 3) * 4),
})
export type CameraSnapshotPart = z.infer<typeof CameraSnapshotPart>

export const CameraEvent = z.discriminatedUnion('type', [
  CameraAlarmEvent,
  CameraStatusEvent,
  CameraSnapshotEvent,
  CameraSnapshotPart,
])
export type CameraEvent = z.infer<typeof CameraEvent>

/**
 * The park asks an edge for snapshots with these cameras for this alarm (an operator triaging
 * any alarm wants the picture of its area). It travels as a `snapshot` command on the command
 * channel (shared/wire/command.ts) whose id is `id`; the answers come back as `snapshot` camera
 * events through the outbox, carrying that id as `request`.
 */
export interface SnapshotRequest {
  /** A uuid: the command's id. */
  id: string
  edge: string
  alarm: number
  cameras: string[]
  ts: number
}

/**
 * A camera as the edge's config declares it, announced in the birth with its points: the cloud
 * keeps it as a registry entry bound to an enterprise and an area.
 */
export const CameraInfo = z.object({
  name: z.string().max(128).optional(),
  area: z.string().min(1).max(64),
  enterprise: TopicId.optional(),
  host: z.string().max(253),
  port: z.number().int().min(1).max(65535),
})
export type CameraInfo = z.infer<typeof CameraInfo>
