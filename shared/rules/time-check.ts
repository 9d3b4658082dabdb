import { z } from 'zod'
import { QualityReasons, type Quality } from '../quality.ts'
import type { Sample } from '../wire/sample.ts'

/**
 * Time is checked at every boundary (issue 14): the edge when a driver hands it a sample, the
 * cloud when a batch arrives. A sample's `ts` is its SOURCE time (shared/wire/sample.ts); the
 * receiver compares it with its own clock. Outside the window the sample is kept (data is never
 * dropped for its time) but marked `uncertain` with a `clock_skew:ahead:…` / `clock_skew:behind:…`
 * reason, so it never pins a point's latest value nor moves its alarm state (a sample stamped a
 * year ahead would otherwise hide every later crossing).
 *
 * Window: `aheadMs` into the receiver's future (default 5 min: clock drift between NTP-less
 * boxes, never a real reading), `behindMs` into its past (the outbox's `maxAgeH`: an edge drops
 * older data itself, so anything older cannot be a genuine delayed reading). Absent: unbounded.
 */
export const TimeWindow = z.strictObject({
  aheadMs: z.number().int().min(0).default(300_000),
  behindMs: z.number().int().min(0).optional(),
})
export type TimeWindow = z.infer<typeof TimeWindow>

export const DEFAULT_AHEAD_MS = 300_000

/** The reason code of a sample outside the window (QualityReasons-style: code ":" detail). */
export const CLOCK_SKEW = QualityReasons.CLOCK_SKEW

export type TimeVerdict = { ok: true } | { ok: false; direction: 'ahead' | 'behind'; byMs: number; reason: string }

/** Pure: where `sourceTs` lies relative to `receivedAt` and the window. */
export function checkTime(sourceTs: number, receivedAt: number, window: TimeWindow): TimeVerdict {
  const ahead = sourceTs - receivedAt
  if (ahead > window.aheadMs) return skew('ahead', ahead)
  const behind = receivedAt - sourceTs
  if (window.behindMs !== undefined && behind > window.behindMs) return skew('behind', behind)
  return { ok: true }
}

function skew(direction: 'ahead' | 'behind', byMs: number): TimeVerdict {
  return { ok: false, direction, byMs, reason: `${CLOCK_SKEW}:${direction}:${formatSpan(byMs)}` }
}

/** A span as the largest whole unit that fits: 90s, 48h, 365d (for people reading the reason). */
export function formatSpan(ms: number): string {
  const s = Math.floor(ms / 1000)
  if (s < 3600) return `${s}s`
  if (s < 3 * 86_400) return `${Math.floor(s / 3600)}h`
  return `${Math.floor(s / 86_400)}d`
}

/** Whether a sample was marked for its time (by this receiver or an earlier one). */
export function isClockSkewed(sample: Pick<Sample, 'reason'>): boolean {
  return sample.reason?.startsWith(`${CLOCK_SKEW}:`) === true
}

/**
 * The sample as the receiver keeps it: unchanged inside the window or when already marked;
 * otherwise `uncertain` (a bad one stays bad) with the skew reason first and any reason it had
 * kept after a ";" (within the wire's 256 characters).
 */
export function applyTimeCheck(
  sample: Sample,
  receivedAt: number,
  window: TimeWindow,
): { sample: Sample; verdict: TimeVerdict } {
  if (isClockSkewed(sample)) return { sample, verdict: { ok: true } }
  const verdict = checkTime(sample.ts, receivedAt, window)
  if (verdict.ok) return { sample, verdict }
  const quality: Quality = sample.quality === 'bad' ? 'bad' : 'uncertain'
  const reason = (sample.reason === undefined ? verdict.reason : `${verdict.reason};${sample.reason}`).slice(0, 256)
  return { sample: { ...sample, quality, reason }, verdict }
}

/** Counts per direction of the samples a receiver marked. */
export interface SkewCounts {
  ahead: number
  behind: number
}

/** applyTimeCheck over a list, with what it marked. */
export function checkSamples(
  list: readonly Sample[],
  receivedAt: number,
  window: TimeWindow,
): { samples: Sample[]; skewed: SkewCounts } {
  const skewed: SkewCounts = { ahead: 0, behind: 0 }
  const samples = list.map((s) => {
    const r = applyTimeCheck(s, receivedAt, window)
    if (!r.verdict.ok) skewed[r.verdict.direction]++
    return r.sample
  })
  return { samples, skewed }
}
