import { QualityReasons } from '../shared/quality.ts'
import { PointId } from '../shared/wire/ids.ts'
import { Sample, badSample } from '../shared/wire/sample.ts'
import { DEFAULT_AHEAD_MS, applyTimeCheck, type SkewCounts, type TimeWindow } from '../shared/rules/time-check.ts'

/** Reason for a sample the edge refused as a driver produced it (belongs with QualityReasons). */

export interface Sanitized {
  samples: Sample[]
  /** One line per refused sample: point and what was wrong (for the log). */
  problems: string[]
  /** Samples whose source time lies outside the window, kept as uncertain (clock_skew:…). */
  skewed: SkewCounts
}

/**
 * Checks samples against the wire schema BEFORE they enter the outbox. A batch the cloud
 * refuses is never acked, so it would be resent forever and hold up everything after it (a
 * poison batch); a fractional timestamp or a 300-character text from one driver must not stop
 * a plant's telemetry. A refused sample becomes a bad one with the reason, when its point id is
 * usable; otherwise it is dropped and reported. With a `window`, a valid sample whose source
 * time is outside it (a device clock or the edge's own clock stepped) is kept as uncertain with
 * a clock_skew reason, so it does not move the edge's latest values or local alarms.
 */
export function sanitizeSamples(samples: readonly unknown[], now: number, window?: TimeWindow): Sanitized {
  const out: Sample[] = []
  const problems: string[] = []
  const skewed: SkewCounts = { ahead: 0, behind: 0 }
  for (const raw of samples) {
    const parsed = Sample.safeParse(raw)
    if (parsed.success) {
      // The source time against the edge's clock (issue 14, shared/rules/time-check.ts).
      const checked = window
        ? applyTimeCheck(parsed.data, now, window)
        : { sample: parsed.data, verdict: { ok: true as const } }
      if (!checked.verdict.ok) skewed[checked.verdict.direction]++
      out.push(checked.sample)
      continue
    }
    const issue = parsed.error.issues[0]
    const what = `${issue?.path.join('.') || '(sample)'}: ${issue?.message ?? 'invalid'}`
    const point = typeof raw === 'object' && raw !== null ? (raw as { point?: unknown }).point : undefined
    const ts = typeof raw === 'object' && raw !== null ? (raw as { ts?: unknown }).ts : undefined
    if (typeof point === 'string' && PointId.safeParse(point).success) {
      const at = typeof ts === 'number' && Number.isFinite(ts) && ts >= 0 ? Math.floor(ts) : now
      out.push(badSample(point, at, `${QualityReasons.INVALID_SAMPLE}:${what}`.slice(0, 256)))
      problems.push(`${point}: ${what}`)
    } else {
      problems.push(`dropped, no usable point id (${String(point).slice(0, 64)}): ${what}`)
    }
  }
  return { samples: out, problems, skewed }
}

/** The edge's window (issue 14): 5 min into the future, the outbox's `maxAgeH` into the past. */
export function edgeTimeWindow(maxAgeH: number | undefined): TimeWindow {
  return { aheadMs: DEFAULT_AHEAD_MS, ...(maxAgeH === undefined ? {} : { behindMs: Math.round(maxAgeH * 3_600_000) }) }
}

/**
 * Logs a device's samples stamped outside the window once when it starts and once when it ends,
 * not at every read (a device with a wrong clock would flood the log every poll).
 */
export function createSkewLog(
  warn: (fields: Record<string, unknown>, msg: string) => void,
  info: (fields: Record<string, unknown>, msg: string) => void,
): (device: string, skewed: SkewCounts) => void {
  const skewing = new Set<string>()
  return (device, skewed) => {
    const now = skewed.ahead + skewed.behind > 0
    if (now === skewing.has(device)) return
    if (now) {
      skewing.add(device)
      warn(
        { device, ...skewed },
        'samples stamped outside the time window (device or edge clock stepped?): kept as uncertain, clock_skew',
      )
    } else {
      skewing.delete(device)
      info({ device }, 'samples stamped inside the time window again')
    }
  }
}
