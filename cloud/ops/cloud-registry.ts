import { Registry } from 'prom-client'
import type { Clock } from '../../shared/clock.ts'
import type { CloudMetrics } from '../metrics.ts'
import type { AckTracker } from '../ingest/ack-tracker.ts'
import { addProcessMetrics, byLabel, counterFrom, gaugeFrom } from '../../shared/prom.ts'

/** What the cloud's /metrics reads (issue 16); everything is read at scrape time. */
export interface CloudMetricSources {
  metrics: CloudMetrics
  /** The ack marks of the edges whose batches this process ingests (absent: no ingest here). */
  tracker?: Pick<AckTracker, 'edges' | 'through' | 'pending'>
  clock: Clock
  /** An edge whose last batch is older than this is no longer counted as handled here. */
  edgeOfflineAfterMs: number
  /** Replicas (issue 16): the edges this replica holds the ownership lock of; absent or null: one process, counted by recent batches. */
  owned?: () => number | null
  /** The `replica` label on every sample: the replica id where one is configured, else the MQTT client id. */
  replica: string
  /** The PostgreSQL pool size (store.poolSize); absent with SQLite. */
  poolSize?: number
  /** process_* and nodejs_* (CPU, memory, event loop) too: per-replica CPU for the bench. Default true. */
  processMetrics?: boolean
}

const s = (ms: number) => ms / 1000

/**
 * The cloud's Prometheus registry: its own (prom-client's global default registry is never
 * used), built from the plain counters of cloud/metrics.ts. Names start `parklink_cloud_`;
 * counters end `_total`. SSE streams and store call times are added by their owners
 * (cloud/api/app.ts, ./timed-store.ts) to the same registry.
 */
export function createCloudRegistry(src: CloudMetricSources): Registry {
  const registry = new Registry()
  registry.setDefaultLabels({ replica: src.replica })
  if (src.processMetrics ?? true) addProcessMetrics(registry)
  registerIngest(registry, src.metrics)
  registerEdges(registry, src)
  registerService(registry, src)
  return registry
}

function registerIngest(r: Registry, m: CloudMetrics): void {
  const i = m.ingest
  counterFrom(r, {
    name: 'parklink_cloud_ingest_batches_total',
    help: 'Data batches stored for the first time',
    read: () => i.batches,
  })
  counterFrom(r, {
    name: 'parklink_cloud_ingest_samples_total',
    help: 'Samples stored (duplicates excluded)',
    read: () => i.samples,
  })
  counterFrom(r, {
    name: 'parklink_cloud_ingest_duplicates_total',
    help: 'Batches already stored (resends), acked again',
    read: () => i.duplicates,
  })
  counterFrom(r, {
    name: 'parklink_cloud_ingest_failed_total',
    help: 'Messages that could not be stored (not acked, the edge resends)',
    read: () => i.failed,
  })
  counterFrom(r, { name: 'parklink_cloud_ingest_acks_total', help: 'Acks published to the edges', read: () => i.acks })
  counterFrom(r, {
    name: 'parklink_cloud_ingest_statuses_total',
    help: 'Status messages (birth, state, death) handled',
    read: () => i.statuses,
  })
  counterFrom(r, {
    name: 'parklink_cloud_ingest_rejected_total',
    help: 'Messages refused whole (never stored, never acked), by reason',
    labelNames: ['reason'],
    read: () => byLabel('reason', i.rejected),
  })
  counterFrom(r, {
    name: 'parklink_cloud_ingest_refused_parts_total',
    help: 'Parts of stored messages refused because the edge does not own them, by reason',
    labelNames: ['reason'],
    read: () => byLabel('reason', i.refused),
  })
  counterFrom(r, {
    name: 'parklink_cloud_crypto_refused_total',
    help: 'Messages whose signature, signer, counter or encryption did not verify, by reason',
    labelNames: ['reason'],
    read: () => byLabel('reason', m.crypto.refused),
  })
  counterFrom(r, {
    name: 'parklink_cloud_alarms_raised_total',
    help: 'Alarms raised (edge samples and system alarms), by priority',
    labelNames: ['priority'],
    read: () => byLabel('priority', m.alarms.raisedByPriority),
  })
  gaugeFrom(r, {
    name: 'parklink_cloud_mqtt_connected',
    help: '1 while the broker connection is up and subscribed',
    read: () => (m.mqtt.connected ? 1 : 0),
  })
  counterFrom(r, {
    name: 'parklink_cloud_mqtt_connects_total',
    help: 'Connections to the broker made',
    read: () => m.mqtt.connects,
  })
}

function registerEdges(r: Registry, src: CloudMetricSources): void {
  const { metrics: m, tracker, clock } = src
  const edges = () => tracker?.edges() ?? []
  gaugeFrom(r, {
    name: 'parklink_cloud_ack_lag_seqs',
    help: "Seqs between the highest batch stored and the edge's contiguous ack mark (batches waiting for a hole)",
    labelNames: ['edge'],
    read: () =>
      edges().map((edge) => {
        const through = tracker!.through(edge)
        const pending = tracker!.pending(edge)
        return [{ edge }, pending.length === 0 ? 0 : pending[pending.length - 1]! - through] as const
      }),
  })
  gaugeFrom(r, {
    name: 'parklink_cloud_edge_last_batch_timestamp_seconds',
    help: "When the edge's last data batch reached this process (Unix seconds)",
    labelNames: ['edge'],
    read: () => [...m.ingest.lastBatchAt].map(([edge, at]) => [{ edge }, s(at)] as const),
  })
  gaugeFrom(r, {
    name: 'parklink_cloud_edges_owned',
    help: 'Edges whose stream this process handles: the ones it holds the lock of (replicas), else a batch arrived here within edgeOfflineAfterMs',
    read: () => {
      const held = src.owned?.() ?? null
      if (held !== null) return held
      const since = clock.now() - src.edgeOfflineAfterMs
      return [...m.ingest.lastBatchAt.values()].filter((at) => at >= since).length
    },
  })
}

function registerService(r: Registry, src: CloudMetricSources): void {
  const m = src.metrics
  counterFrom(r, {
    name: 'parklink_cloud_push_attempts_total',
    help: 'Notification pushes tried, by channel',
    labelNames: ['channel'],
    read: () => byLabel('channel', m.pushes.attempts),
  })
  counterFrom(r, {
    name: 'parklink_cloud_push_failures_total',
    help: 'Notification pushes that failed (retried with backoff until the attempts run out), by channel',
    labelNames: ['channel'],
    read: () => byLabel('channel', m.pushes.failures),
  })
  counterFrom(r, {
    name: 'parklink_cloud_http_refused_total',
    help: 'HTTP refusals at the boundary (throttled logins, refused or dropped streams), by reason',
    labelNames: ['reason'],
    read: () => byLabel('reason', m.http.refused),
  })
  counterFrom(r, {
    name: 'parklink_cloud_retention_failures_total',
    help: 'Retention runs that failed',
    read: () => m.retention.failures,
  })
  counterFrom(r, {
    name: 'parklink_cloud_historian_corrupt_total',
    help: 'Historian chunks or blocks that did not decode (skipped)',
    read: () => m.historian.corrupt,
  })
  gaugeFrom(r, {
    name: 'parklink_cloud_start_time_seconds',
    help: 'When this process started (Unix seconds)',
    read: () => s(m.startedAt),
  })
  if (src.poolSize !== undefined) {
    const size = src.poolSize
    gaugeFrom(r, {
      name: 'parklink_cloud_db_pool_size',
      help: 'PostgreSQL connections this process may open (store.poolSize)',
      read: () => size,
    })
  }
}
