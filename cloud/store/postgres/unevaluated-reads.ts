import { and, desc, eq, gte, lte } from 'drizzle-orm'
import type { UnevaluatedRecord } from '../repos/telemetry.ts'
import { toUnevaluatedRecord } from '../unevaluated-rows.ts'
import type { PgDb } from './db.ts'
import { unevaluated } from './schema.ts'

/**
 * The trace of samples the rules did not evaluate (issue 14), read as SQLite's late.ts lists it:
 * a point's records overlapping [from, to] (source time), newest end first. Written by the
 * batch transaction (the PostgreSQL ingest).
 */
export async function listUnevaluated(
  db: PgDb,
  point: string,
  range: { from: number; to: number; limit: number },
): Promise<UnevaluatedRecord[]> {
  const rows = await db
    .select()
    .from(unevaluated)
    .where(and(eq(unevaluated.point, point), gte(unevaluated.toTs, range.from), lte(unevaluated.fromTs, range.to)))
    .orderBy(desc(unevaluated.toTs), desc(unevaluated.id))
    .limit(range.limit)
  return rows.map(toUnevaluatedRecord)
}
