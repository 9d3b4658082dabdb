import type { EdgeAgentStatus } from '../agent-status.ts'
import { shortOutboxId } from '../outbox/outbox.ts'

/** `parklink edge status`: the running agent's status (status.json) for a person. */
export const STALE_STATUS_MS = 30_000

/** The edge's clock against the cloud's (from its acks, issue 14): the cloud raises CLOCK beyond its threshold (60 s by default). */
export function clockText(offsetMs: number | null | undefined): string {
  if (offsetMs === null || offsetMs === undefined) return 'clock: not compared with the cloud yet (no fresh ack)'
  const s = offsetMs / 1000
  const off =
    Math.abs(s) < 0.05
      ? 'in step with the cloud'
      : `${Math.abs(s).toFixed(1)} s ${s > 0 ? 'AHEAD of' : 'BEHIND'} the cloud`
  return `clock: ${off} (from its acks)${Math.abs(offsetMs) > 60_000 ? ' — check NTP: samples stamped outside the 5 min window are kept as uncertain (clock_skew)' : ''}`
}

const ago = (now: number, t: number | null) =>
  t === null ? 'never' : `${Math.max(0, Math.round((now - t) / 1000))} s ago`

/** The data directory's disk (issue 14): free space, the outbox's reserve, samples refused while full. */
export function diskText(d: NonNullable<EdgeAgentStatus['disk']>): string {
  const free = d.freeBytes === null ? 'free space unknown' : `${(d.freeBytes / 1e6).toFixed(1)} MB free`
  const reserve =
    d.reserveBytes === 0
      ? 'no reserve'
      : d.reserveHeld
        ? `reserve of ${(d.reserveBytes / 1e6).toFixed(1)} MB held`
        : 'reserve RELEASED'
  const full = d.full
    ? ' — DISK FULL: new samples are refused until space is freed (they reach the cloud as a disk_full gap)'
    : ''
  return `disk: ${free}, ${reserve}${d.refused > 0 ? `; ${d.refused} samples REFUSED (disk full) since start` : ''}${full}`
}

const diskLines = (d: EdgeAgentStatus['disk']) => (d ? [diskText(d)] : [])

/**
 * Acks as counts a person can read: seqs are numbered from the outbox's creation time, so a seq
 * (or a difference with the 0 of "no ack yet") looks like a timestamp. The held batches are the
 * unconfirmed ones; a backlog can never exceed them. The seqs stay in --json.
 */
export function ackText(s: EdgeAgentStatus, now: number): string {
  const held = s.outbox.batches
  const acks = s.uplink.lastAckAt === null ? 'no ack from the cloud yet' : `last ack ${ago(now, s.uplink.lastAckAt)}`
  const backlog = Math.min(s.uplink.backlog ?? 0, held)
  return `${held} batch${held === 1 ? '' : 'es'} waiting for the cloud's ack, ${acks}${backlog > 0 ? `; replaying ${backlog} backlog batch${backlog === 1 ? '' : 'es'} behind live data` : ''}`
}

export function formatStatus(s: EdgeAgentStatus, now: number): string {
  const o = s.outbox
  const lines = [
    `edge ${s.edge} (site ${s.site}), session ${s.session.slice(0, 8)}, up ${Math.round((s.at - s.startedAt) / 60_000)} min, status ${ago(now, s.at)}`,
    `uplink: ${s.uplink.connected ? 'connected' : 'DISCONNECTED'}${s.uplink.lastError ? ` (${s.uplink.lastError})` : ''}; ${ackText(s, now)}`,
    clockText(s.uplink.clockOffsetMs),
    `outbox ${shortOutboxId(o.id)}: ${o.samples} samples in ${o.batches} batches (${(o.bytes / 1e6).toFixed(1)} MB), oldest held ${s.backlogHours} h behind, ${s.samplesPerHour} samples/h now${o.evicted > 0 ? `; ${o.evicted} samples EVICTED (cap reached)` : ''}`,
    ...diskLines(s.disk),
    'drivers:',
    ...s.drivers.map(
      (d) =>
        `  ${d.device.padEnd(20)} ${d.kind.padEnd(15)} ${d.state}${d.lastError ? ` — ${d.lastError}` : ''}${
          d.counters
            ? ` [${Object.entries(d.counters)
                .map(([k, v]) => `${k} ${v}`)
                .join(', ')}]`
            : ''
        }`,
    ),
    s.alarms.length === 0 ? 'local alarms: none' : 'local alarms:',
    ...s.alarms.map(
      (a) =>
        `  ${a.priority} ${a.kind.padEnd(3)} ${a.point} = ${a.value} (limit ${a.limit}) since ${ago(now, a.raisedAt)}`,
    ),
  ]
  return lines.join('\n')
}
