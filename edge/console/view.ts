import type { PointInfo } from '../../shared/wire/messages.ts'
import type { Value } from '../../shared/wire/sample.ts'
import type { EdgeAgentStatus } from '../agent-status.ts'
import type { LatestValue } from '../latest-values.ts'
import type { RecentEvent } from '../recent-events.ts'
import { shortOutboxId } from '../outbox/outbox.ts'
import type { SealRefusal } from '../../shared/crypto/sealer.ts'

/**
 * What the console shows, as one JSON document (GET /api/status), built from the agent's
 * status, its latest-value map and the recent warnings and errors. Pure: the page script only
 * renders it.
 */
export interface ConsoleView {
  at: number
  site: string
  edge: string
  startedAt: number
  configHash: string
  uplink: EdgeAgentStatus['uplink']
  /**
   * The cloud messages (acks, commands) the edge refused because they did not verify (issue 20):
   * the total of the security refusals and each reason seen; null with crypto.suite off. A
   * retained message already seen is the broker's normal replay, not counted here.
   */
  crypto: { suite: string; refused: number; byReason: Array<{ reason: SealRefusal; count: number }> } | null
  outbox: {
    id: string
    samples: number
    batches: number
    bytes: number
    evicted: number
    backlogHours: number
    samplesPerHour: number
  }
  /** The data directory's disk (issue 14); null when the status has none (an older agent). */
  disk: { freeMB: number | null; reserveHeld: boolean; full: boolean; refused: number } | null
  drivers: Array<{
    device: string
    kind: string
    state: string
    since: number | null
    lastError: string | null
    lastGoodAt: number | null
  }>
  values: Array<{
    point: string
    name: string | null
    unit: string | null
    device: string | null
    value: Value
    quality: string | null
    reason: string | null
    ts: number | null
    lastGoodTs: number | null
    lastGoodValue: Value
  }>
  alarms: EdgeAgentStatus['alarms']
  events: RecentEvent[]
}

export interface ViewInputs {
  status: EdgeAgentStatus
  points: readonly PointInfo[]
  latest: readonly LatestValue[]
  lastGoodByDevice: ReadonlyMap<string, number>
  events: readonly RecentEvent[]
}

export function consoleView(i: ViewInputs): ConsoleView {
  const s = i.status
  const byPoint = new Map(i.latest.map((v) => [v.point, v]))
  // Configured points first, in config order (also those not read yet); then anything else read.
  const infos = new Map(i.points.map((p) => [p.id, p]))
  const ids = [...infos.keys(), ...i.latest.map((v) => v.point).filter((p) => !infos.has(p))]
  return {
    at: s.at,
    site: s.site,
    edge: s.edge,
    startedAt: s.startedAt,
    configHash: s.configHash,
    uplink: s.uplink,
    crypto: cryptoView(s.uplink.crypto),
    outbox: {
      id: shortOutboxId(s.outbox.id),
      samples: s.outbox.samples,
      batches: s.outbox.batches,
      bytes: s.outbox.bytes,
      evicted: s.outbox.evicted,
      backlogHours: s.backlogHours,
      samplesPerHour: s.samplesPerHour,
    },
    disk: s.disk
      ? {
          freeMB: s.disk.freeBytes === null ? null : Math.floor(s.disk.freeBytes / 1e5) / 10,
          reserveHeld: s.disk.reserveHeld,
          full: s.disk.full,
          refused: s.disk.refused,
        }
      : null,
    drivers: s.drivers.map((d) => ({
      device: d.device,
      kind: d.kind,
      state: d.state,
      since: d.since,
      lastError: d.lastError,
      lastGoodAt: i.lastGoodByDevice.get(d.device) ?? null,
    })),
    values: ids.map((id) => {
      const info = infos.get(id)
      const v = byPoint.get(id)
      return {
        point: id,
        name: info?.name ?? null,
        unit: info?.unit ?? null,
        device: v?.device ?? info?.device ?? null,
        value: v?.value ?? null,
        quality: v?.quality ?? null,
        reason: v?.reason ?? null,
        ts: v?.ts ?? null,
        lastGoodTs: v?.lastGoodTs ?? null,
        lastGoodValue: v?.lastGoodValue ?? null,
      }
    }),
    alarms: s.alarms,
    events: [...i.events],
  }
}

function cryptoView(c: EdgeAgentStatus['uplink']['crypto']): ConsoleView['crypto'] {
  if (c === undefined) return null
  const byReason = (Object.entries(c.refused) as Array<[SealRefusal, number]>)
    .filter(([reason, count]) => count > 0 && reason !== 'stale_retained')
    .map(([reason, count]) => ({ reason, count }))
  return { suite: c.suite, refused: byReason.reduce((n, r) => n + r.count, 0), byReason }
}
