import type { EdgeAgentStatus } from '../agent.ts'
import { shortOutboxId } from '../outbox/outbox.ts'

/** `parklink edge status`: the running agent's status (status.json) for a person. */
export const STALE_STATUS_MS = 30_000

const ago = (now: number, t: number | null) => (t === null ? 'never' : `${Math.max(0, Math.round((now - t) / 1000))} s ago`)

export function formatStatus(s: EdgeAgentStatus, now: number): string {
  const o = s.outbox
  const lines = [
    `edge ${s.edge} (site ${s.site}), session ${s.session.slice(0, 8)}, up ${Math.round((s.at - s.startedAt) / 60_000)} min, status ${ago(now, s.at)}`,
    `uplink: ${s.uplink.connected ? 'connected' : 'DISCONNECTED'}${s.uplink.lastError ? ` (${s.uplink.lastError})` : ''}; cloud acked through seq ${s.uplink.ackedThrough}, last ack ${ago(now, s.uplink.lastAckAt)}${(s.uplink.backlog ?? 0) > 0 ? `; replaying ${s.uplink.backlog} backlog batches behind live data` : ''}`,
    `outbox ${shortOutboxId(o.id)}: ${o.samples} samples in ${o.batches} batches (${(o.bytes / 1e6).toFixed(1)} MB), oldest held ${s.backlogHours} h behind, ${s.samplesPerHour} samples/h now${o.evicted > 0 ? `; ${o.evicted} samples EVICTED (cap reached)` : ''}`,
    'drivers:',
    ...s.drivers.map((d) => `  ${d.device.padEnd(20)} ${d.kind.padEnd(15)} ${d.state}${d.lastError ? ` — ${d.lastError}` : ''}`),
    s.alarms.length === 0 ? 'local alarms: none' : 'local alarms:',
    ...s.alarms.map((a) => `  ${a.priority} ${a.kind.padEnd(3)} ${a.point} = ${a.value} (limit ${a.limit}) since ${ago(now, a.raisedAt)}`),
  ]
  return lines.join('\n')
}
