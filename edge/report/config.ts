import { z } from 'zod'
import { ReportSpecObject, oneMethod } from '../../shared/report/spec.ts'

/**
 * `report:` in the edge config: report by exception per point (shared/report). Without it,
 * every sample is kept. `points` are tried in order, the first whose `match` fits a point id
 * wins (`*` matches any characters); other points use `default` (absent: every sample kept).
 *
 *   report:
 *     default: { deadband: { pct: 0.1 }, maxSilenceS: 300 }
 *     points:
 *       - { match: "shilian.tk*.level", sdt: { deviation: 0.02 } }
 *       - { match: "shilian.gt*", deadband: { abs: 0.5 }, range: { low: 0, high: 100 } }
 */
export const ReportRule = ReportSpecObject.extend({
  match: z.string().regex(/^[A-Za-z0-9_.:*-]{1,128}$/, 'a point id, or a pattern with * (e.g. "shilian.tk*.level")'),
}).refine(...oneMethod)
export type ReportRule = z.infer<typeof ReportRule>

export const ReportConfig = z.strictObject({
  default: ReportSpecObject.refine(...oneMethod).optional(),
  points: z.array(ReportRule).max(10_000).default([]),
})
export type ReportConfig = z.infer<typeof ReportConfig>

/** The pattern as a RegExp: `*` is any run of characters, everything else literal. */
export function matcher(pattern: string): RegExp {
  return new RegExp(
    `^${pattern
      .split('*')
      .map((part) => part.replace(/[.]/g, '\\.'))
      .join('.*')}$`,
  )
}

/**
 * Each point's forced-refresh bound in ms (its rule's `maxSilenceS`, else the default's), or
 * Infinity when no rule applies (every sample kept): what liveness refreshes must stay within.
 */
export function maxSilenceOf(config: ReportConfig | undefined): (point: string) => number {
  if (!config) return () => Infinity
  const rules = config.points.map((r) => ({ test: matcher(r.match), ms: r.maxSilenceS * 1000 }))
  const fallback = config.default ? config.default.maxSilenceS * 1000 : Infinity
  return (point) => rules.find((r) => r.test.test(point))?.ms ?? fallback
}
