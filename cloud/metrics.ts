import { emptySealCounts, type SealRefusal } from '../shared/crypto/sealer.ts'
import { emptyRetentionStatus, type RetentionStatus } from './telemetry/retention-job.ts'
import type { CrlHealth } from './ingest/crl-watch.ts'

/**
 * In-process counters for the health endpoint. Plain numbers, mutated by ingest and read by the
 * API; nothing here does I/O.
 */
export const RejectReasons = {
  /** The topic is not parklink/v1/{site}/{edge}/{channel}. */
  BAD_TOPIC: 'bad_topic',
  /** The payload failed the shared codec (not JSON, wrong version, schema violation). */
  INVALID_PAYLOAD: 'invalid_payload',
  /** The payload's edge differs from the edge in the topic. */
  EDGE_MISMATCH: 'edge_mismatch',
  /** The topic's site differs from the site the registry binds the edge to (issue 13). */
  SITE_MISMATCH: 'site_mismatch',
  /** A batch whose (edge, outbox, seq) is stored with other content: refused, never acked (not a resend). */
  SEQ_CONFLICT: 'seq_conflict',
} as const
export type RejectReason = (typeof RejectReasons)[keyof typeof RejectReasons]

/** HTTP refusals at the boundary (issue 13): throttled logins, refused and dropped live streams. */
export const HttpRefusals = {
  /** A login attempt while its source address must wait (429). */
  LOGIN_THROTTLED_ADDRESS: 'login_throttled_address',
  /** A login attempt while every address must wait (429). */
  LOGIN_THROTTLED_GLOBAL: 'login_throttled_global',
  /** An alarm stream beyond the identity's limit (429). */
  STREAM_LIMIT_IDENTITY: 'stream_limit_identity',
  /** An alarm stream beyond the service's limit (429). */
  STREAM_LIMIT_TOTAL: 'stream_limit_total',
  /** An alarm stream closed because its reader fell behind by more than the queue holds. */
  STREAM_SLOW_READER: 'stream_slow_reader',
  /** An alarm stream whose Last-Event-ID is not an event id (400). */
  BAD_LAST_EVENT_ID: 'stream_bad_last_event_id',
  /** An uploaded park plan that is not a PNG, JPEG or clean SVG, or too large (issue 17). */
  PLAN_IMAGE_REFUSED: 'plan_image_refused',
  /** A live-view token asked for a camera whose edge announced no live endpoint (409). */
  LIVE_NOT_ANNOUNCED: 'live_not_announced',
  /** A live-view token asked for a camera whose edge's live endpoint is not in live.dashboardOrigins (409). */
  LIVE_ORIGIN_NOT_LISTED: 'live_origin_not_listed',
} as const
export type HttpRefusal = (typeof HttpRefusals)[keyof typeof HttpRefusals]
/**
 * Parts of an accepted message refused because the edge does not own them (issue 13): the rest
 * of the message is stored and acked. Counted per refused sample, alarm, gap, event or birth entry.
 */
export const RefusedReasons = {
  FOREIGN_POINT: 'foreign_point',
  FOREIGN_CAMERA: 'foreign_camera',
  UNREQUESTED_SNAPSHOT: 'unrequested_snapshot',
} as const
export type RefusedReason = (typeof RefusedReasons)[keyof typeof RefusedReasons]

export interface CloudMetrics {
  readonly startedAt: number
  /** Application-layer verification (issue 20): the suite and the messages refused by it, by reason (shared/crypto/sealer.ts). */
  crypto: {
    suite: string
    refused: Record<SealRefusal, number>
    /** The signing certificates' CRL (crypto.crl) as last judged; null when none is configured. */
    crl: CrlHealth | null
  }
  mqtt: { connected: boolean; lastError: string | null; connects: number }
  ingest: {
    /** Data batches stored for the first time. */
    batches: number
    /** Samples stored (duplicates excluded). */
    samples: number
    /** Batches already stored (resends); acked again, nothing stored. */
    duplicates: number
    /** Messages refused, by reason; never stored, never acked. */
    rejected: Record<RejectReason, number>
    /** Parts of stored messages refused, by reason (the edge does not own them). */
    refused: Record<RefusedReason, number>
    /** Messages that could not be stored (store error); not acked, the edge resends. */
    failed: number
    statuses: number
    acks: number
    alarmsRaised: number
    alarmsRecovered: number
    /** When each edge's last data batch arrived here (epoch ms): /metrics' edge silence (issue 16). */
    lastBatchAt: Map<string, number>
  }
  /** Alarms raised, by priority (issue 16, /metrics): counted from the committed changes, system alarms included. */
  alarms: { raisedByPriority: Record<string, number> }
  /** Notification pushes (cloud/notify/dispatcher.ts) tried and failed, by channel (issue 16, /metrics). */
  pushes: { attempts: Record<string, number>; failures: Record<string, number> }
  http: { refused: Record<HttpRefusal, number> }
  /** Issue 16 (cloud/cluster/): whether this replica holds the leader lease (runs the timers), and how often that changed. */
  cluster: { leading: boolean; leaderChanges: number }
  /** Time checks (issue 14, cloud/ingest/time-check.ts). */
  time: {
    /** Samples stored as uncertain, clock_skew: their source time ahead of / behind the window. */
    skewedAhead: number
    skewedBehind: number
    /** Samples stored but not evaluated by the rules, by reason (traced per point, history `unevaluated`). */
    unevaluated: { late: number; clock_skew: number; replay_overlap: number }
    /** Batches the edge marked historical that were notified: recent by the cloud's clock. */
    historicalNotified: number
  }
  /** The retention job (issue 15, cloud/telemetry/retention-job.ts): its last run and failures. */
  retention: RetentionStatus
  /** Historian storage (issue 15, cloud/store/sqlite/compaction.ts). */
  historian: {
    /** Chunks or blocks found not to decode (disk damage): reported by point and time range, skipped. */
    corrupt: number
    compactions: number
    compactionFailures: number
    /** Samples sealed from blocks into chunks since the start. */
    compactedSamples: number
  }
}

export function createMetrics(now: number): CloudMetrics {
  return {
    startedAt: now,
    crypto: { suite: 'off', refused: emptySealCounts(), crl: null },
    mqtt: { connected: false, lastError: null, connects: 0 },
    ingest: {
      batches: 0,
      samples: 0,
      duplicates: 0,
      rejected: { bad_topic: 0, invalid_payload: 0, edge_mismatch: 0, site_mismatch: 0, seq_conflict: 0 },
      refused: { foreign_point: 0, foreign_camera: 0, unrequested_snapshot: 0 },
      failed: 0,
      statuses: 0,
      acks: 0,
      alarmsRaised: 0,
      alarmsRecovered: 0,
      lastBatchAt: new Map(),
    },
    alarms: { raisedByPriority: {} },
    pushes: { attempts: {}, failures: {} },
    http: {
      refused: {
        login_throttled_address: 0,
        login_throttled_global: 0,
        stream_limit_identity: 0,
        stream_limit_total: 0,
        stream_slow_reader: 0,
        stream_bad_last_event_id: 0,
        plan_image_refused: 0,
        live_not_announced: 0,
        live_origin_not_listed: 0,
      },
    },
    time: {
      skewedAhead: 0,
      skewedBehind: 0,
      unevaluated: { late: 0, clock_skew: 0, replay_overlap: 0 },
      historicalNotified: 0,
    },
    retention: emptyRetentionStatus(),
    historian: { corrupt: 0, compactions: 0, compactionFailures: 0, compactedSamples: 0 },
    cluster: { leading: false, leaderChanges: 0 },
  }
}

export function totalRejected(metrics: CloudMetrics): number {
  return Object.values(metrics.ingest.rejected).reduce((a, b) => a + b, 0)
}
