/**
 * An edge's clock offset (its clock minus the cloud's), estimated from the `ts` its fresh status
 * messages carry (birth, state heartbeats) against the cloud's receive time (issue 14).
 *
 * A message's apparent offset is the true offset minus its transit delay; delays only make the
 * edge look behind. A heartbeat queued while the link was down (MQTT client queue, the broker's
 * persistent session) arrives minutes late and would look like a clock minutes behind. So:
 * retained messages (old news replayed at subscription) are never used, and the estimate is the
 * LARGEST apparent offset over the last `windowMs` (the least-delayed message, as NTP's
 * minimum-delay filter): a backlog of queued heartbeats cannot pull it down while a fresh one is
 * in the window. A real step ahead shows at once, a real step behind once the window has passed.
 */
export interface ClockOffsets {
  /** Records one fresh status message; returns the edge's current estimate (ms). */
  observe(edge: string, edgeTs: number, receivedAt: number): number
}

export function createClockOffsets(windowMs = 120_000): ClockOffsets {
  const seen = new Map<string, Array<{ offset: number; at: number }>>()
  return {
    observe(edge, edgeTs, receivedAt) {
      const recent = (seen.get(edge) ?? []).filter((o) => receivedAt - o.at <= windowMs && o.at <= receivedAt)
      recent.push({ offset: edgeTs - receivedAt, at: receivedAt })
      seen.set(edge, recent)
      return Math.max(...recent.map((o) => o.offset))
    },
  }
}
