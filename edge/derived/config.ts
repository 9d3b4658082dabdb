import { z } from 'zod'
import { PointId, TopicId } from '../../shared/wire/ids.ts'

/**
 * Pipe-gallery settlement from static-level gauges (brief §6): segments of one base point and
 * 1–2 measuring points on one liquid line. For each measuring point P the edge publishes derived
 * points `P.settlement` (mm), `P.rate` (mm/day) and `P.diff` (mm, against the next measuring
 * point along the gallery), like any other point.
 */
export const SettlementConfig = z
  .strictObject({
    segments: z.array(z.strictObject({ id: TopicId, base: PointId, points: z.array(PointId).min(1).max(2) })).min(1),
    /** Measuring points in their order along the gallery, across segments (default: as listed). */
    order: z.array(PointId).optional(),
    /** What the gauges report: the liquid level in their chamber (float gauges) or a height. */
    reading: z.enum(['liquid-level', 'height']).default('liquid-level'),
    /** Results are rounded to the gauge resolution (0.01 mm for the park's gauges). */
    resolutionMm: z.number().positive().max(10).default(0.01),
    /** Rate of settlement over this window of samples (needs half of it to report). */
    rateWindowH: z
      .number()
      .positive()
      .max(24 * 31)
      .default(24),
    /** A base reading older than this is not combined with a measuring point's reading. */
    maxSkewMs: z.number().int().positive().default(10_000),
  })
  .superRefine((c, ctx) => {
    const measuring = c.segments.flatMap((s) => s.points)
    const seen = new Set<string>()
    c.segments.forEach((s, i) => {
      for (const [j, p] of [s.base, ...s.points].entries()) {
        if (seen.has(p))
          ctx.addIssue({
            code: 'custom',
            path: ['segments', i, j === 0 ? 'base' : 'points'],
            message: `point ${p} is in two segments (or twice in one)`,
          })
        seen.add(p)
      }
    })
    c.order?.forEach((p, i) => {
      if (!measuring.includes(p))
        ctx.addIssue({ code: 'custom', path: ['order', i], message: `${p} is not a measuring point of any segment` })
    })
  })
export type SettlementConfig = z.infer<typeof SettlementConfig>

export const derivedIds = (point: string) => ({
  settlement: `${point}.settlement`,
  rate: `${point}.rate`,
  diff: `${point}.diff`,
})
