import { and, desc, eq, gte, lte } from 'drizzle-orm'
import type { Sample } from '../../../shared/wire/sample.ts'
import type { UnevaluatedRecord } from '../store.ts'
import { toUnevaluatedRecord } from '../unevaluated-rows.ts'
import type { Db } from './db.ts'
import { unevaluated } from './schema.ts'

export type UnevaluatedReason = UnevaluatedRecord['reason']

/**
 * The trace of samples the rules did not evaluate (issue 14: "never dropped without a trace").
 * One row per point, batch and reason with the count and time range, written in the batch's
 * transaction; read beside a point's history and counted in /api/v1/health.
 */
export function createLateOps(db: Db) {
  return {
    /** Runs inside the batch transaction. Nothing to record for an empty list. */
    record(
      at: { edge: string; seq: number; receivedAt: number },
      point: string,
      reason: UnevaluatedReason,
      list: readonly Sample[],
      evaluatedThrough: number | null,
    ): number {
      if (list.length === 0) return 0
      const times = list.map((s) => s.ts)
      db.insert(unevaluated)
        .values({
          point,
          edge: at.edge,
          seq: at.seq,
          reason,
          count: list.length,
          fromTs: Math.min(...times),
          toTs: Math.max(...times),
          evaluatedThrough,
          receivedAt: at.receivedAt,
        })
        .run()
      return list.length
    },

    /** A point's records overlapping [from, to] (source time), newest first. */
    list(point: string, range: { from: number; to: number; limit: number }): UnevaluatedRecord[] {
      return db
        .select()
        .from(unevaluated)
        .where(and(eq(unevaluated.point, point), gte(unevaluated.toTs, range.from), lte(unevaluated.fromTs, range.to)))
        .orderBy(desc(unevaluated.toTs))
        .limit(range.limit)
        .all()
        .map(toUnevaluatedRecord)
    },
  }
}
