import { z } from 'zod'
import { PointRange } from '../wire/messages.ts'

/**
 * Report by exception for one point (brief §3: every point refreshed at least every 5 min,
 * SDT compression to ≈ 10 % of raw storage). A point uses a deadband OR swinging-door trending
 * (SDT), each absolute (engineering units) or in percent of the measuring range; with neither,
 * every sample is kept. `maxSilenceS` bounds the time between two kept samples of a live point.
 */
export const DEFAULT_MAX_SILENCE_S = 300

export const ReportSpecObject = z.strictObject({
  /** Keep a sample when it differs from the last kept one by MORE than the band. */
  deadband: z
    .union([z.strictObject({ abs: z.number().nonnegative() }), z.strictObject({ pct: z.number().min(0).max(100) })])
    .optional(),
  /** Keep as few samples as lets linear interpolation between them stay within the deviation of every sample. */
  sdt: z
    .union([
      z.strictObject({ deviation: z.number().positive() }),
      z.strictObject({ deviationPct: z.number().positive().max(100) }),
    ])
    .optional(),
  /** Forced refresh: a live point is never silent longer than this (seconds). */
  maxSilenceS: z.number().int().min(1).max(86_400).default(DEFAULT_MAX_SILENCE_S),
  /** Measuring range for the percent forms; default: the range the source announces (e.g. OPC UA EURange). */
  range: PointRange.optional(),
})

/** Deadband and SDT are alternatives; refine any schema built on ReportSpecObject with this. */
export const oneMethod: [(s: { deadband?: unknown; sdt?: unknown }) => boolean, { message: string; path: string[] }] = [
  (s) => !(s.deadband && s.sdt),
  { message: 'choose either deadband or sdt for a point, not both', path: ['sdt'] },
]

export const ReportSpec = ReportSpecObject.refine(...oneMethod)
export type ReportSpec = z.infer<typeof ReportSpec>

/** A spec resolved to numbers: what the pure filter needs. */
export interface ResolvedReport {
  mode: 'all' | 'deadband' | 'sdt'
  /** The deadband or the SDT deviation, in engineering units (0 for 'all'). */
  band: number
  maxSilenceMs: number
}

/**
 * Resolves a spec against a range (the spec's own, else `sourceRange`). A percent form without
 * any range cannot be honoured: the answer says why, and the caller keeps every sample.
 */
export function resolveReport(
  spec: ReportSpec,
  sourceRange?: PointRange | null,
): { ok: true; report: ResolvedReport } | { ok: false; problem: string } {
  const maxSilenceMs = spec.maxSilenceS * 1000
  const range = spec.range ?? sourceRange ?? null
  const span = range ? range.high - range.low : null
  const pct = (p: number) => {
    if (span === null || !(span > 0)) return null
    return (p / 100) * span
  }
  if (spec.deadband) {
    const band = 'abs' in spec.deadband ? spec.deadband.abs : pct(spec.deadband.pct)
    if (band === null)
      return { ok: false, problem: 'deadband in percent needs a measuring range: set report range or use abs' }
    return { ok: true, report: { mode: 'deadband', band, maxSilenceMs } }
  }
  if (spec.sdt) {
    const band = 'deviation' in spec.sdt ? spec.sdt.deviation : pct(spec.sdt.deviationPct)
    if (band === null)
      return { ok: false, problem: 'sdt deviationPct needs a measuring range: set report range or use deviation' }
    return { ok: true, report: { mode: 'sdt', band, maxSilenceMs } }
  }
  return { ok: true, report: { mode: 'all', band: 0, maxSilenceMs } }
}
