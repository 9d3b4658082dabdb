import { eq } from 'drizzle-orm'
import { entryOfChange } from '../alarm-filter.ts'
import type { AlarmStep } from '../../alarms/engine/steps.ts'
import type { AlarmActOutcome, AlarmChange, AlarmRecord } from '../../alarms/model.ts'
import type { DisposalFacts, TimelineEntry } from '../../alarms/workflow.ts'
import type { Scope } from '../../auth/roles.ts'
import { findAlarm } from './alarm-reads.ts'
import { appendTimeline, lockAlarmWrites } from './alarm-writes.ts'
import type { PgDb } from './db.ts'
import type { PgPlanInTx } from './ownership.ts'
import { alarmTimeline, alarms } from './schema.ts'

/** Where an alarm change goes: its pushes in its transaction, then the listeners after the commit. */
export interface AlarmChangeSinks {
  emit: (change: AlarmChange) => void
  planInTx: PgPlanInTx
}

/**
 * A person's step on an alarm (ack, triage, feedback, close; shelve, out of service …) on
 * PostgreSQL: read, decide (cloud/alarms/engine/steps.ts), write, in one transaction. SQLite
 * serializes the whole engine (BEGIN IMMEDIATE); here the alarm's row is read FOR UPDATE, so two
 * people acting on one alarm at once take turns and the second decides on the first's result
 * (one success, one refusal); alarm writers take LOCKS.alarmTimeline first (tx.ts). Appends exactly
 * one timeline entry; the change is told after the commit.
 */
export async function stepAlarm(
  db: PgDb,
  id: number,
  scope: Scope,
  decide: (current: AlarmRecord) => AlarmStep,
  sinks: AlarmChangeSinks,
): Promise<AlarmActOutcome> {
  const out = await db.transaction(async (tx): Promise<{ outcome: AlarmActOutcome; change?: AlarmChange }> => {
    await lockAlarmWrites(tx) // before the row (tx.ts lock order)
    const current = await findAlarm(tx, id, scope, true)
    if (!current) return { outcome: { ok: false, code: 'NOT_FOUND', message: `no alarm ${id}` } }
    const r = decide(current)
    if (!r.ok) return { outcome: r }
    await tx.update(alarms).set({ disposal: r.facts, closedAt: r.closedAt }).where(eq(alarms.id, id))
    await appendTimeline(tx, id, r.entry)
    if (r.plansPushes) await sinks.planInTx(tx, [r.change]) // a triage as valid may call for pushes
    return { outcome: { ok: true, alarm: (await findAlarm(tx, id, scope))! }, change: r.change }
  })
  if (out.change) sinks.emit(out.change)
  return out.outcome
}

/** A system note (re-contact reminder, overdue) with the facts it changes; an overdue alarm may call for an escalation. */
export async function noteAlarm(
  db: PgDb,
  id: number,
  entry: TimelineEntry,
  facts: DisposalFacts,
  sinks: AlarmChangeSinks,
): Promise<void> {
  const change: AlarmChange = { alarm: id, action: entry.action, at: entry.at }
  const written = await db.transaction(async (tx) => {
    await lockAlarmWrites(tx)
    // Issue 16: two replicas' reminders overlapping in a leader hand-over decide the same note (its
    // time is the due time): the second finds it written, under the alarm-write lock, and writes nothing.
    const [already] = await tx
      .select({ id: alarmTimeline.id })
      .from(alarmTimeline)
      .where(entryOfChange(change, alarmTimeline))
      .limit(1)
    if (already) return false
    await tx.update(alarms).set({ disposal: facts }).where(eq(alarms.id, id))
    await appendTimeline(tx, id, entry)
    await sinks.planInTx(tx, [change])
    return true
  })
  if (written) sinks.emit(change)
}
