import { z } from 'zod'
import { PointId } from './ids.ts'

/** Most point ids a gap record lists; beyond, it says "all" (the edge's whole point set). */
export const GAP_MAX_POINTS = 1000

/**
 * Data the edge dropped before the cloud stored it: evicted over the outbox's size cap
 * (`cap`), older than its maximum age (`age`), or refused because the edge's disk was full
 * (`disk_full`: those samples never had a seq; the record names the one seq burnt in their
 * place, and `batches` counts the refused appends). Nothing is lost silently (brief §3): the record
 * travels in a data batch (so it is delivered and acked like data) and the cloud keeps it.
 *
 * A run of evictions is ONE record that grows: the edge sends it again with a higher
 * `throughSeq` and larger counts; the cloud keeps, per (edge, fromSeq), the widest version.
 */
export const GapRecord = z
  .object({
    reason: z.enum(['cap', 'age', 'disk_full']),
    fromSeq: z.number().int().positive(),
    throughSeq: z.number().int().positive(),
    batches: z.number().int().nonnegative(),
    samples: z.number().int().nonnegative(),
    /** Source times of the oldest and newest dropped sample (epoch ms). */
    from: z.number().int().nonnegative(),
    to: z.number().int().nonnegative(),
    /** The points that lost samples, or "all" when there were more than GAP_MAX_POINTS. */
    points: z.union([z.literal('all'), z.array(PointId).max(GAP_MAX_POINTS)]),
    /** When the edge last dropped data into this record (edge time). */
    at: z.number().int().nonnegative(),
  })
  .refine((g) => g.fromSeq <= g.throughSeq && g.from <= g.to, {
    message: 'fromSeq ≤ throughSeq and from ≤ to required',
  })
export type GapRecord = z.infer<typeof GapRecord>

/** The union of two point sets, "all" once it grows too large. */
export function mergePoints(a: GapRecord['points'], b: Iterable<string>): GapRecord['points'] {
  if (a === 'all') return 'all'
  const set = new Set(a)
  for (const p of b) {
    set.add(p)
    if (set.size > GAP_MAX_POINTS) return 'all'
  }
  return [...set].sort()
}
