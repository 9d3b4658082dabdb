import { Registry } from 'prom-client'
import type { Clock } from '../../shared/clock.ts'
import { addProcessMetrics, byLabel, counterFrom, gaugeFrom } from '../../shared/prom.ts'
import type { EdgeAgentStatus } from '../agent-status.ts'

/** What the edge's /metrics reads (issue 16), at scrape time. */
export interface EdgeMetricSources {
  site: string
  edge: string
  /** The agent's status (the same snapshot the console and status.json show). */
  status(): EdgeAgentStatus
  /** Alarms raised at the edge since start, by priority (local evaluation, edge/alarms/local.ts). */
  localRaises: Readonly<Record<string, number>>
  clock: Clock
  /** process_* and nodejs_* too (default true). */
  processMetrics?: boolean
}

const DRIVER_STATES = ['connected', 'degraded', 'disconnected', 'stopped'] as const
const s = (ms: number) => ms / 1000

/**
 * The edge's Prometheus registry, served on the console's listener (./app.ts GET /metrics): its
 * own registry (never prom-client's global one), labels site and edge on every sample, read
 * from the agent's status when scraped. Names start `parklink_edge_`.
 */
export function createEdgeRegistry(sources: EdgeMetricSources): Registry {
  const src = { ...sources, status: oncePerScrape(sources.status) }
  const r = new Registry()
  r.setDefaultLabels({ site: src.site, edge: src.edge })
  if (src.processMetrics ?? true) addProcessMetrics(r)
  registerOutbox(r, src)
  registerUplink(r, src)
  gaugeFrom(r, {
    name: 'parklink_edge_driver_state',
    help: "1 for the device driver's current state, 0 for the others",
    labelNames: ['device', 'kind', 'state'],
    read: () =>
      src
        .status()
        .drivers.flatMap((d) =>
          DRIVER_STATES.map((state) => [{ device: d.device, kind: d.kind, state }, d.state === state ? 1 : 0] as const),
        ),
  })
  counterFrom(r, {
    name: 'parklink_edge_local_alarms_raised_total',
    help: 'Alarms raised by the edge’s own evaluation, by priority',
    labelNames: ['priority'],
    read: () => byLabel('priority', src.localRaises),
  })
  gaugeFrom(r, {
    name: 'parklink_edge_local_alarms_active',
    help: 'Alarms active at the edge (local evaluation)',
    read: () => src.status().alarms.length,
  })
  counterFrom(r, {
    name: 'parklink_edge_refused_too_large_total',
    help: "Samples and snapshots not sent because they cannot fit the broker's message limit",
    read: () => src.status().refused?.tooLarge ?? 0,
  })
  return r
}

function registerOutbox(r: Registry, src: EdgeMetricSources): void {
  const outbox = () => src.status().outbox
  gaugeFrom(r, {
    name: 'parklink_edge_outbox_batches',
    help: 'Batches held in the outbox (not yet acked)',
    read: () => outbox().batches,
  })
  gaugeFrom(r, {
    name: 'parklink_edge_outbox_samples',
    help: 'Samples held in the outbox',
    read: () => outbox().samples,
  })
  gaugeFrom(r, { name: 'parklink_edge_outbox_bytes', help: 'Bytes the outbox holds', read: () => outbox().bytes })
  gaugeFrom(r, {
    name: 'parklink_edge_outbox_oldest_age_seconds',
    help: 'Age of the oldest sample not yet acked by the cloud (0 when the outbox is empty)',
    read: () => {
      const oldest = outbox().oldestTs
      return oldest === null ? 0 : Math.max(0, s(src.clock.now() - oldest))
    },
  })
  counterFrom(r, {
    name: 'parklink_edge_outbox_evicted_total',
    help: 'Outbox data dropped by its size or age cap (reported to the cloud as gaps)',
    read: () => outbox().evicted,
  })
}

function registerUplink(r: Registry, src: EdgeMetricSources): void {
  const uplink = () => src.status().uplink
  gaugeFrom(r, {
    name: 'parklink_edge_uplink_connected',
    help: '1 while connected to the broker, subscribed to acks and born',
    read: () => (uplink().connected ? 1 : 0),
  })
  counterFrom(r, {
    name: 'parklink_edge_uplink_batches_sent_total',
    help: 'Data batches published (resends included)',
    read: () => uplink().batches?.sent ?? 0,
  })
  counterFrom(r, {
    name: 'parklink_edge_uplink_batches_acked_total',
    help: "Batches the cloud's contiguous ack mark passed",
    read: () => uplink().batches?.acked ?? 0,
  })
  gaugeFrom(r, {
    name: 'parklink_edge_uplink_inflight',
    help: 'Batches published and not yet acked',
    read: () => uplink().inflight,
  })
  gaugeFrom(r, {
    name: 'parklink_edge_uplink_last_ack_timestamp_seconds',
    help: 'When the last ack from the cloud arrived (Unix seconds; 0 before one came)',
    read: () => s(uplink().lastAckAt ?? 0),
  })
}

/**
 * One status snapshot per scrape (it reads the outbox database): prom-client calls every
 * metric's collect in one synchronous pass, so a value kept until the next microtask is shared
 * by all of them and never outlives the scrape.
 */
function oncePerScrape<T>(read: () => T): () => T {
  let kept: { value: T } | null = null
  return () => {
    if (kept === null) {
      kept = { value: read() }
      queueMicrotask(() => {
        kept = null
      })
    }
    return kept.value
  }
}
