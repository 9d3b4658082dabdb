import { and, eq, gt, lte } from 'drizzle-orm'
import { type WindowsByPoint, windowsByPointOf } from '../ingest-notes.ts'
import { maintenanceWindows } from './schema.ts'
import type { Q } from './tx.ts'

/** Approved maintenance windows overlapping [from, to], by point: what the rules need inside the batch transaction. */
export async function windowsByPoint(q: Q, from: number, to: number): Promise<WindowsByPoint> {
  const rows = await q
    .select({
      id: maintenanceWindows.id,
      points: maintenanceWindows.points,
      from: maintenanceWindows.from,
      to: maintenanceWindows.to,
    })
    .from(maintenanceWindows)
    .where(
      and(eq(maintenanceWindows.status, 'approved'), gt(maintenanceWindows.to, from), lte(maintenanceWindows.from, to)),
    )
  return windowsByPointOf(rows)
}
