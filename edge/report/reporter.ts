import type { Logger } from 'pino'
import { flushFilter, initialFilterState, offerSample, type FilterState } from '../../shared/report/filter.ts'
import { resolveReport, type ReportSpec, type ResolvedReport } from '../../shared/report/spec.ts'
import type { PointRange } from '../../shared/wire/messages.ts'
import type { Sample } from '../../shared/wire/sample.ts'
import { matcher, type ReportConfig } from './config.ts'

export interface ReporterStats {
  /** Samples offered (after sanitizing and derived points). */
  offered: number
  /** Samples kept and written to the outbox. */
  kept: number
}

export interface Reporter {
  /** The samples to keep, per point in order; a point's newest sample may wait for its successor (SDT). */
  filter(samples: readonly Sample[]): Sample[]
  /** Everything held back (on stop): the last sample of each point. */
  flush(): Sample[]
  stats(): ReporterStats
}

const KEEP_ALL: ResolvedReport = { mode: 'all', band: 0, maxSilenceMs: Infinity }

/**
 * Report by exception at the edge, before the outbox: one filter state per point, the spec
 * chosen by the config's rules and resolved against the range the source announces (a percent
 * without any range keeps every sample, said once in the log).
 */
export function createReporter(
  config: ReportConfig,
  rangeOf: (point: string) => PointRange | null,
  log: Logger,
): Reporter {
  const rules = config.points.map((r) => ({ test: matcher(r.match), spec: r as ReportSpec }))
  const points = new Map<string, { report: ResolvedReport | null; state: FilterState }>()
  const stats: ReporterStats = { offered: 0, kept: 0 }
  const warned = new Set<string>()

  const reportFor = (point: string): ResolvedReport | null => {
    const spec = rules.find((r) => r.test.test(point))?.spec ?? config.default
    if (!spec) return KEEP_ALL
    const resolved = resolveReport(spec, rangeOf(point))
    if (resolved.ok) return resolved.report
    if (!warned.has(point))
      log.warn(
        { point, problem: resolved.problem },
        'report by exception not applied to this point: every sample is kept',
      )
    warned.add(point)
    return null
  }

  return {
    filter(samples) {
      const out: Sample[] = []
      for (const s of samples) {
        let entry = points.get(s.point)
        if (!entry) points.set(s.point, (entry = { report: null, state: initialFilterState() }))
        // Unresolved (a percent before the source announced its range): asked again next time.
        entry.report ??= reportFor(s.point)
        const r = offerSample(entry.report ?? KEEP_ALL, entry.state, s)
        entry.state = r.state
        out.push(...r.keep)
      }
      stats.offered += samples.length
      stats.kept += out.length
      return out
    },
    flush() {
      const out: Sample[] = []
      for (const entry of points.values()) {
        const r = flushFilter(entry.state)
        entry.state = r.state
        out.push(...r.keep)
      }
      stats.kept += out.length
      return out
    },
    stats: () => ({ ...stats }),
  }
}
