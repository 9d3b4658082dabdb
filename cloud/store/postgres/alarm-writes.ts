import { and, desc, eq, lt, type SQL } from 'drizzle-orm'
import type { AlarmChange } from '../../alarms/model.ts'
import { changesOf, type AlarmPatch, type AlarmWrite, type NewAlarm } from '../../alarms/engine/writes.ts'
import type { TimelineEntry } from '../../alarms/workflow.ts'
import type { EarlierAlarm } from '../../alarms/engine/replay.ts'
import { alarmTimeline, alarms } from './schema.ts'
import { LOCKS, lock, type PgTx } from './tx.ts'
import { alarmRowOf } from '../alarm-rows.ts'

/**
 * Saves what the alarm engine decided (cloud/alarms/engine/writes.ts) on PostgreSQL, inside the
 * caller's transaction: storage only, no policy (as cloud/store/sqlite/alarm-writes.ts). Returns
 * the alarm written (null: nothing) and adds the changes to tell after commit to `changes`.
 */
export async function saveAlarm(tx: PgTx, w: AlarmWrite, changes: AlarmChange[]): Promise<number | null> {
  await lockAlarmWrites(tx)
  const id =
    w.type === 'raise'
      ? await insert(tx, w.alarm, 'skip')
      : w.type === 'episode'
        ? await insert(tx, w.alarm, 'fail')
        : w.type === 'active'
          ? await patch(tx, activeWhere(w.point, w.kind, w.before), w.patch)
          : await patch(tx, eq(alarms.id, w.id), w.patch)
  if (id === null) return null
  for (const entry of w.type === 'raise' || w.type === 'episode' ? w.entries : w.entry ? [w.entry] : [])
    await appendTimeline(tx, id, entry)
  changes.push(...changesOf(id, w.tell))
  if (w.type === 'raise' && w.andThen) {
    await tx.update(alarms).set(w.andThen.patch).where(eq(alarms.id, id))
    await appendTimeline(tx, id, w.andThen.entry)
    changes.push(...changesOf(id, w.andThen.tell))
  }
  return id
}

async function insert(tx: PgTx, a: NewAlarm, conflict: 'skip' | 'fail'): Promise<number | null> {
  const values = alarmRowOf(a)
  const q = tx.insert(alarms).values(values)
  // The partial unique index allows one active alarm per (point, kind): a conflict means it is active already.
  const rows = await (conflict === 'skip' ? q.onConflictDoNothing() : q).returning({ id: alarms.id })
  return rows[0]?.id ?? null
}

const activeWhere = (point: string, kind: string, before?: number): SQL =>
  and(
    eq(alarms.point, point),
    eq(alarms.kind, kind),
    eq(alarms.state, 'active'),
    before === undefined ? undefined : lt(alarms.raisedAt, before),
  )!

async function patch(tx: PgTx, where: SQL, p: AlarmPatch): Promise<number | null> {
  const rows =
    Object.keys(p).length === 0
      ? await tx.select({ id: alarms.id }).from(alarms).where(where).limit(1)
      : await tx.update(alarms).set(p).where(where).returning({ id: alarms.id })
  return rows[0]?.id ?? null
}

/**
 * Every transaction that writes an alarm takes this before its first alarm row (tx.ts lock order):
 * timeline ids then commit in id order, and no two alarm writers wait on each other crosswise.
 * Re-taking it in the same transaction is free.
 */
export const lockAlarmWrites = (tx: PgTx) => lock(tx, LOCKS.alarmTimeline)

/** Appends one timeline entry (the timeline is append-only: nothing updates or deletes one). */
export async function appendTimeline(tx: PgTx, alarm: number, entry: TimelineEntry): Promise<void> {
  await lockAlarmWrites(tx)
  await tx
    .insert(alarmTimeline)
    .values({ alarm, at: entry.at, actor: entry.actor, action: entry.action, detail: entry.detail })
}

/** The reads the alarm engine asks for while a batch is evaluated (as sqlite/alarm-writes.ts), inside its transaction. */

/** The active alarm of (point, kind), newest first should there be more. */
export async function activeAlarm(
  tx: PgTx,
  point: string,
  kind: string,
): Promise<{ id: number; raisedAt: number } | null> {
  const [row] = await tx
    .select({ id: alarms.id, raisedAt: alarms.raisedAt })
    .from(alarms)
    .where(activeWhere(point, kind))
    .orderBy(desc(alarms.id))
    .limit(1)
  return row ?? null
}

/** The newest alarm of (point, kind) raised before `ts`. */
export async function earlierAlarm(tx: PgTx, point: string, kind: string, ts: number): Promise<EarlierAlarm | null> {
  const [row] = await tx
    .select({ id: alarms.id, state: alarms.state, recoveredAt: alarms.recoveredAt })
    .from(alarms)
    .where(and(eq(alarms.point, point), eq(alarms.kind, kind), lt(alarms.raisedAt, ts)))
    .orderBy(desc(alarms.raisedAt))
    .limit(1)
  return row ?? null
}

/** The alarm raised (or recovered) at exactly this source time, for an edge's alarm change. */
export async function alarmAt(
  tx: PgTx,
  m: { point: string; kind: string; at: 'raisedAt' | 'recoveredAt'; ts: number },
): Promise<number | null> {
  const [row] = await tx
    .select({ id: alarms.id })
    .from(alarms)
    .where(and(eq(alarms.point, m.point), eq(alarms.kind, m.kind), eq(alarms[m.at], m.ts)))
    .orderBy(desc(alarms.id))
    .limit(1)
  return row?.id ?? null
}
