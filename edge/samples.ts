import { QualityReasons } from '../shared/quality.ts'
import { PointId } from '../shared/wire/ids.ts'
import { Sample, badSample } from '../shared/wire/sample.ts'

/** Reason for a sample the edge refused as a driver produced it (belongs with QualityReasons). */

export interface Sanitized {
  samples: Sample[]
  /** One line per refused sample: point and what was wrong (for the log). */
  problems: string[]
}

/**
 * Checks samples against the wire schema BEFORE they enter the outbox. A batch the cloud
 * refuses is never acked, so it would be resent forever and hold up everything after it (a
 * poison batch); a fractional timestamp or a 300-character text from one driver must not stop
 * a plant's telemetry. A refused sample becomes a bad one with the reason, when its point id is
 * usable; otherwise it is dropped and reported.
 */
export function sanitizeSamples(samples: readonly unknown[], now: number): Sanitized {
  const out: Sample[] = []
  const problems: string[] = []
  for (const raw of samples) {
    const parsed = Sample.safeParse(raw)
    if (parsed.success) {
      out.push(parsed.data)
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
  return { samples: out, problems }
}
