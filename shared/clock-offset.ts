/**
 * A peer's clock offset (its clock minus ours), estimated from the `ts` its fresh messages carry
 * against our receive time (issue 14): the cloud from an edge's status messages (birth, state
 * heartbeats), the edge from the cloud's acks. Pure; the caller passes the times.
 *
 * A message's apparent offset is the true offset minus its transit delay; delays only make the
 * sender look behind. A heartbeat queued while the link was down (MQTT client queue, the broker's
 * persistent session) arrives minutes late and would look like a clock minutes behind. So:
 * retained messages (old news replayed at subscription) are never used, and the estimate is the
 * LARGEST apparent offset over the last `windowMs` (the least-delayed message, as NTP's
 * minimum-delay filter): a backlog of queued heartbeats cannot pull it down while a fresh one is
 * in the window. A real step ahead shows at once, a real step behind once the window has passed.
 */
export interface ClockOffsets {
  /** Records one fresh message of `peer` stamped `sentTs` (its clock); returns its current offset estimate (ms). */
  observe(peer: string, sentTs: number, receivedAt: number): number
}

export function createClockOffsets(windowMs = 120_000): ClockOffsets {
  const seen = new Map<string, Array<{ offset: number; at: number }>>()
  return {
    observe(peer, sentTs, receivedAt) {
      const recent = (seen.get(peer) ?? []).filter((o) => receivedAt - o.at <= windowMs && o.at <= receivedAt)
      recent.push({ offset: sentTs - receivedAt, at: receivedAt })
      seen.set(peer, recent)
      return Math.max(...recent.map((o) => o.offset))
    },
  }
}
