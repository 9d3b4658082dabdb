import type { Logger } from 'pino'
import type { Clock } from '../../shared/clock.ts'
import { parseTopic, type Channel, type TopicAddress } from '../../shared/wire/topics.ts'
import type { CloudMetrics, RejectReason } from '../metrics.ts'
import type { Store } from '../store/store.ts'
import type { AckTracker } from './ack-tracker.ts'
import type { ClockOffsets } from '../../shared/clock-offset.ts'
import type { CloudTimeConfig } from './time-check.ts'
import type { Ownership } from './ownership.ts'
import type { RefusalReporter } from './refusals.ts'
import type { SnapshotRequests } from './snapshot-requests.ts'

/** What the message handlers need; ingest.ts builds it, tests build their own. */
export interface IngestContext {
  store: Store
  tracker: AckTracker
  /** Publishes QoS 1, retained. Fire-and-forget: never awaited inside a message handler. */
  publish(topic: string, payload: Buffer): void
  clock: Clock
  metrics: CloudMetrics
  log: Logger
  /** Time checks (cloud/ingest/time-check.ts); absent: the defaults. */
  time?: CloudTimeConfig
  /** The edges' clock offsets (cloud/ingest/clock-offset.ts); absent: not estimated. */
  clocks?: ClockOffsets
  /** Who may send what (issue 13): judged before anything is stored. */
  ownership: Ownership
  /** Counts, logs and raises the security event for what an edge sent but does not own. */
  refusals: RefusalReporter
  /** The snapshot requests the cloud sent (their answers are the only snapshots linked to alarms). */
  snapshots: SnapshotRequests
  /** Answer every birth with an ack, also before anything is stored (issue 20: an encrypting edge learns the cloud's key from it). */
  ackEveryBirth?: boolean
  /** After a birth is stored: the edge is told its registry hint (registry-hints.ts). */
  born?: (site: string, edge: string) => void
}

export interface InboundMessage {
  topic: string
  payload: Buffer
  /** Set by the broker when the message is a retained one replayed at subscription time. */
  retained: boolean
  /** When it came off the broker (before waiting in the inbox); the edge's clock is compared with this. */
  arrivedAt?: number
}

export type Rejected = { kind: 'rejected'; reason: RejectReason; error: string }

/** Counts and logs a refused message. Refused messages are never stored and never acked. */
export function reject(ctx: IngestContext, msg: InboundMessage, reason: RejectReason, error: string): Rejected {
  ctx.metrics.ingest.rejected[reason]++
  ctx.log.warn({ topic: msg.topic, reason, error, bytes: msg.payload.length }, 'message rejected')
  return { kind: 'rejected', reason, error }
}

/** The topic's address if it is parklink/v1/{site}/{edge}/{channel} with the expected channel. */
export function addressOf(msg: InboundMessage, channel: Channel): TopicAddress | string {
  const address = parseTopic(msg.topic)
  if (!address) return 'not parklink/v1/{site}/{edge}/{channel} with valid ids'
  if (address.channel !== channel) return `expected channel "${channel}", got "${address.channel}"`
  return address
}
