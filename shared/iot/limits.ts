import { ErrorCodes, ParklinkError } from '../errors.ts'

/**
 * AWS IoT Core's MQTT limits (AWS General Reference, "AWS IoT Core endpoints and quotas",
 * message broker and protocol limits), enforced by parklink's own IoT transports
 * (edge/uplink/aws-iot/, cloud/ingest/aws-iot/) before anything reaches the SDK: IoT Core
 * disconnects or throttles a client that exceeds them, and an edge would resend forever.
 */
const IOT_LIMITS_MESSAGE_BYTES = 128 * 1024

export const IOT_LIMITS = {
  /** "The payload for every publish request can be no larger than 128 KB." */
  messageBytes: IOT_LIMITS_MESSAGE_BYTES,
  /** Publish requests per second per connection (inbound to IoT Core). */
  publishesPerSecond: 100,
  /** Throughput per connection: 512 KiB/s. */
  bytesPerSecond: 512 * 1024,
  /** Unacknowledged QoS 1 messages in flight per client. */
  inflightQos1: 100,
  /** Forward slashes in a topic or topic filter. */
  topicSlashes: 7,
  /** A topic name in UTF-8 bytes. */
  topicBytes: 256,
  /** MQTT keep alive accepted by IoT Core (seconds). */
  keepaliveMinS: 30,
  keepaliveMaxS: 1200,
  /** A client id (the thing name) in UTF-8 bytes. */
  clientIdBytes: 128,
} as const

/**
 * What parklink allows itself, under those limits with a margin: a token bucket of PACE.burst
 * tokens refilled at PACE.perSecond lets at most burst + perSecond publishes into any one-second
 * window (90 < 100); one of burstBytes (a whole message) refilled at bytesPerSecond at most
 * 128 + 368 = 496 KiB (< 512); QoS 1 publishes wait while PACE.inflightQos1 are unacknowledged.
 */
export const IOT_PACE = {
  perSecond: 80,
  burst: 10,
  bytesPerSecond: 368 * 1024,
  burstBytes: IOT_LIMITS_MESSAGE_BYTES,
  inflightQos1: 90,
} as const

/** Why IoT Core would refuse this topic (depth, length, wildcards in a topic name), or null. */
export function iotTopicProblem(topic: string, filter = false): string | null {
  const slashes = topic.split('/').length - 1
  if (slashes > IOT_LIMITS.topicSlashes)
    return `topic "${topic}" has ${slashes} slashes; AWS IoT Core allows ${IOT_LIMITS.topicSlashes}`
  if (Buffer.byteLength(topic, 'utf8') > IOT_LIMITS.topicBytes)
    return `topic "${topic.slice(0, 64)}…" is longer than AWS IoT Core's ${IOT_LIMITS.topicBytes} bytes`
  if (!filter && /[#+]/.test(topic)) return `topic "${topic}" has a wildcard`
  return null
}

/** Refuses, at start, topics IoT Core would refuse (the edge's own, or the cloud's filters): `where` names the config. */
export function checkIotTopics(topics: readonly string[], where: string, filter = false): void {
  for (const t of topics) {
    const why = iotTopicProblem(t, filter)
    if (why !== null)
      throw new ParklinkError(ErrorCodes.CONFIG_INVALID, `${where}: ${why}`, {
        hint: 'use shorter site and edge ids (each one topic level: parklink/v1/{site}/{edge}/{channel})',
      })
  }
}

/** The coded refusal of a message over IoT Core's size limit: never handed to the SDK. */
export function tooLargeForIot(topic: string, bytes: number): ParklinkError {
  return new ParklinkError(
    ErrorCodes.MESSAGE_TOO_LARGE,
    `a ${bytes}-byte message to ${topic} exceeds AWS IoT Core's ${IOT_LIMITS.messageBytes}-byte limit: not sent`,
    {
      hint: 'keep uplink.maxMessageBytes at or under 131072 (batches and snapshot parts are cut to it); a birth this large lists too many points for one edge',
    },
  )
}

/** Why IoT Core would refuse this publish (too large, or a topic over its limits), or null: checked before the SDK sees it. */
export function iotPublishProblem(topic: string, bytes: number): ParklinkError | null {
  if (bytes > IOT_LIMITS.messageBytes) return tooLargeForIot(topic, bytes)
  const why = iotTopicProblem(topic)
  return why === null
    ? null
    : new ParklinkError(ErrorCodes.CONFIG_INVALID, why, { hint: 'use shorter site and edge ids' })
}
