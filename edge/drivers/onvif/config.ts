import { z } from 'zod'
import { NetworkHost } from '../host.ts'
import { VideoCode } from '../../../shared/wire/camera.ts'
import { Priority } from '../../../shared/rules/priority.ts'
import { TopicId } from '../../../shared/wire/ids.ts'

/**
 * An ONVIF camera (Profile S + PullPoint events). The password sits in the environment variable
 * `passwordEnv` names, never in the file. `events` maps an ONVIF event topic to a parklink kind
 * and the provincial video code (brief §5); unmapped topics are ignored (and counted in the log).
 */
export const EventMapping = z.strictObject({
  /** ONVIF topic, e.g. tns1:RuleEngine/FieldDetector/ObjectsInside (a prefix of the topic matches too). */
  topic: z.string().regex(/^[\w.-]+:[\w./-]+$/, 'an ONVIF topic such as tns1:RuleEngine/FieldDetector/ObjectsInside'),
  kind: z.string().regex(/^[a-z][a-z0-9_-]{0,63}$/, 'a lower-case word, e.g. intrusion'),
  code: VideoCode,
  /** Default from the code: smoke and fire S (brief §5), intrusion and line crossing A, others B. */
  priority: Priority.optional(),
})
export type EventMapping = z.infer<typeof EventMapping>

export const DEFAULT_EVENT_MAPPINGS: EventMapping[] = [
  { topic: 'tns1:RuleEngine/FieldDetector/ObjectsInside', kind: 'intrusion', code: 'RYRQ' },
  { topic: 'tns1:RuleEngine/LineDetector/Crossed', kind: 'line_crossing', code: 'RYYJ' },
]

export const OnvifDeviceConfig = z.strictObject({
  id: TopicId,
  kind: z.literal('onvif'),
  name: z.string().max(128).optional(),
  host: NetworkHost,
  port: z.number().int().min(1).max(65535).default(80),
  /** Device service path (as WS-Discovery's XAddrs gives it). */
  path: z.string().regex(/^\//).default('/onvif/device_service'),
  username: z.string().min(1).max(64),
  passwordEnv: z
    .string()
    .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'an environment variable name, e.g. PARKLINK_CAMERA_PASSWORD'),
  /** The area the camera watches (brief §4: the triage view shows "cameras in this area"). */
  area: z.string().min(1).max(64),
  enterprise: TopicId.optional(),
  /** Health check period (framework-scheduled): reachability, subscription renewal. */
  healthIntervalMs: z.number().int().min(500).max(600_000).default(10_000),
  /**
   * Event pulls: each waits up to pullWaitS at the camera (a long poll: an event is answered at
   * once), started every pullIntervalMs; keep the interval a little above the wait.
   */
  pullIntervalMs: z.number().int().min(100).max(60_000).default(2_500),
  pullWaitS: z.number().int().min(1).max(60).default(2),
  /** Bound on each request to the camera. */
  timeoutMs: z.number().int().min(200).max(60_000).default(5_000),
  events: z.array(EventMapping).default(DEFAULT_EVENT_MAPPINGS),
  snapshot: z
    .strictObject({
      /** A larger image is refused (and the event sent without it). */
      maxBytes: z
        .number()
        .int()
        .min(1024)
        .max(4 * 1024 * 1024)
        .default(1024 * 1024),
      /** Disk kept for snapshots under {dataDir}/devices/{id}/snapshots; oldest evicted beyond it. */
      keepBytes: z
        .number()
        .int()
        .min(64 * 1024)
        .default(256 * 1024 * 1024),
    })
    .default({ maxBytes: 1024 * 1024, keepBytes: 256 * 1024 * 1024 }),
})
export type OnvifDeviceConfig = z.infer<typeof OnvifDeviceConfig>

export function priorityFor(m: EventMapping): Priority {
  if (m.priority) return m.priority
  if (m.code === 'HZ' || m.code === 'YW') return 'S'
  if (m.code === 'RYRQ' || m.code === 'RYYJ' || m.code === 'FYWL' || m.code === 'XL') return 'A'
  return 'B'
}

/** The camera's points: online (health) and event (the last analytics code, '' when cleared). */
export const cameraPoints = (id: string) => ({
  online: `${id}.online`,
  event: `${id}.event`,
  snapshot: `${id}.snapshot`,
})
