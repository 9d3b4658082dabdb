import { z } from 'zod'
import { Sample } from './sample.ts'
import { PointId, TopicId } from './ids.ts'
import { GapRecord } from './gap.ts'
import { CameraEvent, CameraInfo } from './camera.ts'

/** Wire protocol version; a message with another major version is rejected, not guessed at. */
export const WIRE_VERSION = 1

const Seq = z.number().int().positive()

/**
 * The random id an outbox file is created with (edge/outbox/sqlite-outbox.ts): a new file (disk
 * replaced, data directory wiped, corrupt file moved aside) is a new outbox with a new id. Seqs
 * are numbered per outbox, so the cloud's duplicate key is (edge, outbox, seq).
 */
export const OutboxId = z.string().regex(/^[A-Za-z0-9_-]{8,64}$/, 'an outbox id is 8–64 letters, digits, _ or -')

/**
 * parklink/v1/{site}/{edge}/data — edge → cloud, QoS 1.
 *
 * `seq` is assigned durably by the edge outbox when the batch is written and increases by one
 * per batch for the life of that outbox (it survives restarts); `outbox` names the outbox. The
 * cloud stores each (edge, outbox, seq) once, with a hash of its content: the same key with other
 * content is refused as a conflict, never acked. `floor` is the lowest seq the edge still holds: every seq below it has either been acked
 * by the cloud or evicted (and reported as a gap), so the cloud may advance its contiguous-ack
 * mark up to floor - 1 without waiting for them.
 */
/**
 * An alarm the edge raised or recovered locally (shared/rules, the same evaluation as the
 * cloud's), sent in the batch that holds the samples that caused it, so the cloud can match it
 * to its own episode (same point, kind and source time) instead of opening a second one.
 */
export const EdgeAlarm = z.object({
  type: z.enum(['raise', 'recover']),
  point: PointId,
  kind: z.enum(['HH', 'H', 'L', 'LL', 'ROC', 'DIGITAL']),
  priority: z.enum(['S', 'A', 'B', 'C', 'D']).optional(),
  ts: z.number().int(),
  value: z.number(),
  limit: z.number().optional(),
})
export type EdgeAlarm = z.infer<typeof EdgeAlarm>

export const DataBatch = z
  .object({
    v: z.literal(WIRE_VERSION),
    edge: TopicId,
    session: z.string().min(1).max(64),
    /** The id of the outbox that assigned `seq`. */
    outbox: OutboxId,
    seq: Seq,
    floor: Seq,
    samples: z.array(Sample).min(1).max(100_000),
    alarms: z.array(EdgeAlarm).max(10_000).optional(),
    /** Data the edge dropped (outbox cap or age), carried by the next batch (shared/wire/gap.ts). */
    gaps: z.array(GapRecord).max(1_000).optional(),
    /** Replayed backlog, not live data: the cloud records its alarms with their original times but pushes no notifications for them. */
    historical: z.boolean().optional(),
    /** Camera events (analytics alarms with their snapshot, online/offline): shared/wire/camera.ts. */
    events: z.array(CameraEvent).max(100).optional(),
  })
  .refine((b) => b.floor <= b.seq, { message: 'floor must not exceed seq', path: ['floor'] })
export type DataBatch = z.infer<typeof DataBatch>

/** Point metadata the edge announces at birth (the cloud registry may add to it). */
export const PointRange = z.object({ low: z.number(), high: z.number() })
export type PointRange = z.infer<typeof PointRange>
/** HH/H/L/LL as a control system has them; unlike ThresholdLimits, not checked for order (a source may be inconsistent). */
export const SourceLimits = z.object({
  hh: z.number().optional(),
  h: z.number().optional(),
  l: z.number().optional(),
  ll: z.number().optional(),
})
export type SourceLimits = z.infer<typeof SourceLimits>

export const PointInfo = z.object({
  id: PointId,
  name: z.string().max(128).optional(),
  unit: z.string().max(32).optional(),
  device: z.string().max(64).optional(),
  /** Measuring range as the source declares it (e.g. OPC UA EURange), for display and range checks. */
  range: PointRange.optional(),
  /** Alarm limits as the control system has them (e.g. OPC UA limit alarm properties), so the
   * park's thresholds can stay equal to the control room's (brief §2). */
  limits: SourceLimits.optional(),
  /** Set on a camera's points: the camera's registry entry (area, enterprise). */
  camera: CameraInfo.optional(),
})
export type PointInfo = z.infer<typeof PointInfo>

export const OutboxReport = z.object({
  samples: z.number().int().nonnegative(),
  batches: z.number().int().nonnegative(),
  bytes: z.number().int().nonnegative(),
  oldestTs: z.number().int().nullable(),
  evicted: z.number().int().nonnegative(),
})
export type OutboxReport = z.infer<typeof OutboxReport>

export const DriverReport = z.object({
  device: z.string(),
  kind: z.string(),
  state: z.enum(['connected', 'degraded', 'disconnected', 'stopped']),
  since: z.number().int().nullable(),
  lastError: z.string().nullable(),
  /** Optional counts by name (e.g. an HJ 212 listener's refused and idle-closed connections). */
  counters: z.record(z.string().max(64), z.number().int().min(0)).optional(),
})
export type DriverReport = z.infer<typeof DriverReport>

/**
 * Where the monitoring center opens the edge's live view (edge/live/relay.ts; `live.publicUrl`):
 * `ws://` or `wss://`, host and port only, as the park's dedicated line reaches the edge. The
 * cloud builds `{url}/live/{camera}` only for cameras this edge owns, and its dashboard connects
 * only to origins the cloud's `live.dashboardOrigins` lists (its Content-Security-Policy).
 */
export const LiveEndpoint = z.object({
  url: z
    .string()
    .max(256)
    .refine(
      (u) => {
        try {
          const x = new URL(u)
          return (x.protocol === 'ws:' || x.protocol === 'wss:') && x.origin === u.replace(/\/$/, '') && !x.username
        } catch {
          return false
        }
      },
      { message: 'a ws:// or wss:// origin without path or credentials, e.g. "ws://10.20.0.5:8091"' },
    ),
})
export type LiveEndpoint = z.infer<typeof LiveEndpoint>

/**
 * parklink/v1/{site}/{edge}/status — edge → cloud, QoS 1, RETAINED.
 * - birth: published on every (re)connect, with the point list and a hash of the config;
 * - state: periodic heartbeat with outbox depth and driver health;
 * - death: set as the MQTT last will (MQTT v5 §3.1.2.5 / v3.1.1 §3.1.2.5), so the broker
 *   publishes it when the edge vanishes. It names the session, so a late death of an old
 *   session never marks a newer session offline.
 */
export const StatusBirth = z.object({
  v: z.literal(WIRE_VERSION),
  kind: z.literal('birth'),
  edge: TopicId,
  site: TopicId,
  session: z.string().min(1).max(64),
  ts: z.number().int(),
  configHash: z.string().max(128),
  points: z.array(PointInfo).max(100_000),
  outbox: OutboxReport,
  /** The id of the edge's outbox (`outbox` is its report): a new id tells the cloud the old outbox is gone. */
  outboxId: OutboxId,
  /** Set when the edge serves live view (edge/live): where the monitoring center reaches it. */
  live: LiveEndpoint.optional(),
})
export const StatusState = z.object({
  v: z.literal(WIRE_VERSION),
  kind: z.literal('state'),
  edge: TopicId,
  session: z.string().min(1).max(64),
  ts: z.number().int(),
  outbox: OutboxReport,
  drivers: z.array(DriverReport),
})
export const StatusDeath = z.object({
  v: z.literal(WIRE_VERSION),
  kind: z.literal('death'),
  edge: TopicId,
  session: z.string().min(1).max(64),
  /** Set when the edge says goodbye itself; absent in the last will (the broker sends it later). */
  ts: z.number().int().optional(),
})
export const Status = z.discriminatedUnion('kind', [StatusBirth, StatusState, StatusDeath])
export type Status = z.infer<typeof Status>
export type StatusBirth = z.infer<typeof StatusBirth>
export type StatusState = z.infer<typeof StatusState>
export type StatusDeath = z.infer<typeof StatusDeath>

/**
 * parklink/v1/{site}/{edge}/ack — cloud → edge, QoS 1, RETAINED (a reconnecting edge learns
 * the cloud's mark at once). `through` is the highest seq such that every seq ≤ it is durably
 * stored (or was below the edge's floor). Only this lets the edge delete from its outbox.
 * `outbox` names the outbox whose seqs it acknowledges: an edge ignores an ack (notably a
 * retained one) for another outbox, which would otherwise delete batches never stored.
 */
export const Ack = z.object({
  v: z.literal(WIRE_VERSION),
  edge: TopicId,
  outbox: OutboxId,
  through: z.number().int().nonnegative(),
  /**
   * Selective acks: inclusive seq ranges stored ABOVE `through` (live batches that overtook a
   * draining backlog), at most the 64 highest. They free the edge's send window; the edge still
   * deletes from its outbox only through `through`.
   */
  stored: z
    .array(z.tuple([Seq, Seq]).refine(([from, to]) => from <= to, { message: 'range from > to' }))
    .max(64)
    .optional(),
  ts: z.number().int(),
})
export type Ack = z.infer<typeof Ack>
