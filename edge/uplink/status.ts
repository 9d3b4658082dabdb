import {
  WIRE_VERSION,
  type DriverReport,
  type LiveEndpoint,
  type OutboxReport,
  type PointInfo,
  type StatusBirth,
  type StatusDeath,
  type StatusState,
} from '../../shared/wire/messages.ts'
import type { OutboxStats } from '../outbox/outbox.ts'

/** Builders for the status messages the edge publishes (retained) on parklink/v1/{site}/{edge}/status. */
export interface Identity {
  site: string
  edge: string
  session: string
}

/** The wire report: exactly the OutboxReport fields (lastSeq and ackedThrough stay local). */
export function outboxReport(stats: OutboxStats): OutboxReport {
  return {
    samples: stats.samples,
    batches: stats.batches,
    bytes: stats.bytes,
    oldestTs: stats.oldestTs,
    evicted: stats.evicted,
  }
}

export function birth(
  id: Identity,
  ts: number,
  configHash: string,
  points: readonly PointInfo[],
  outbox: OutboxStats,
  live?: LiveEndpoint,
): StatusBirth {
  return {
    v: WIRE_VERSION,
    kind: 'birth',
    edge: id.edge,
    site: id.site,
    session: id.session,
    ts,
    configHash,
    points: [...points],
    outbox: outboxReport(outbox),
    outboxId: outbox.id,
    ...(live ? { live } : {}),
  }
}

export function state(id: Identity, ts: number, outbox: OutboxStats, drivers: DriverReport[]): StatusState {
  return {
    v: WIRE_VERSION,
    kind: 'state',
    edge: id.edge,
    session: id.session,
    ts,
    outbox: outboxReport(outbox),
    drivers,
  }
}

/** Without ts it is the last will, published by the broker later; with ts the edge says goodbye itself. */
export function death(id: Identity, ts?: number): StatusDeath {
  return ts === undefined
    ? { v: WIRE_VERSION, kind: 'death', edge: id.edge, session: id.session }
    : { v: WIRE_VERSION, kind: 'death', edge: id.edge, session: id.session, ts }
}
