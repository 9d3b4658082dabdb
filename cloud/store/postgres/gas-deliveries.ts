import { and, asc, eq, inArray, lte } from 'drizzle-orm'
import { byDue } from './deliveries.ts'
import type { PlannedGasPush } from '../../alarms/gas/pushes.ts'
import { gasPushRows } from '../push-rows.ts'
import { outcomeColumns, withChannel, type DeliveryOutcome } from '../repos/deliveries.ts'
import type { GasDelivery } from '../repos/gas-warnings.ts'
import { gasWarningDeliveries as t } from './schema.ts'
import type { Q } from './tx.ts'

/**
 * The gas-leak warnings' push ledger on PostgreSQL, as cloud/store/sqlite/gas-deliveries.ts:
 * planned inside the step's transaction (`q` is the caller's), due ones, each attempt's outcome.
 */

/** Idempotent: a step planned twice is one row per recipient and channel (one multi-row insert). */
export async function enqueueGasPushes(q: Q, warning: number, pushes: readonly PlannedGasPush[]): Promise<void> {
  if (pushes.length > 0) await q.insert(t).values(gasPushRows(warning, pushes)).onConflictDoNothing()
}

export async function dueGasPushes(q: Q, now: number, limit: number): Promise<GasDelivery[]> {
  const rows = await q
    .select()
    .from(t)
    .where(and(eq(t.status, 'pending'), lte(t.nextAt, now)))
    .orderBy(asc(t.nextAt), asc(t.id))
    .limit(limit)
  return rows.map(withChannel)
}

/** The due pushes claimed by one sender for `leaseMs` (SKIP LOCKED; see ./deliveries.ts claimPushes). */
export async function claimGasPushes(q: Q, now: number, limit: number, leaseMs: number): Promise<GasDelivery[]> {
  const due = q
    .select({ id: t.id })
    .from(t)
    .where(and(eq(t.status, 'pending'), lte(t.nextAt, now)))
    .orderBy(asc(t.nextAt), asc(t.id))
    .limit(limit)
    .for('update', { skipLocked: true })
  const rows = await q
    .update(t)
    .set({ nextAt: now + leaseMs })
    .where(inArray(t.id, due))
    .returning()
  return rows.sort(byDue).map(withChannel)
}

/** A finished push stays as it was recorded first (the conditional UPDATE; see ./deliveries.ts). */
export async function recordGasPush(q: Q, id: number, o: DeliveryOutcome): Promise<void> {
  await q
    .update(t)
    .set(outcomeColumns(o))
    .where(and(eq(t.id, id), eq(t.status, 'pending')))
}

export async function gasPushesOf(q: Q, warning: number): Promise<GasDelivery[]> {
  const rows = await q.select().from(t).where(eq(t.warning, warning)).orderBy(asc(t.dueAt), asc(t.id))
  return rows.map(withChannel)
}
