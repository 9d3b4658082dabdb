import { and, eq, lt, type SQL } from 'drizzle-orm'
import type { AlarmChange } from '../../alarms/model.ts'
import { changesOf, type AlarmPatch, type AlarmWrite, type NewAlarm } from '../../alarms/engine/writes.ts'
import type { TimelineEntry } from '../../alarms/workflow.ts'
import { alarmTimeline, alarms } from './schema.ts'
import { LOCKS, lock, type PgTx } from './tx.ts'
import { alarmRowOf } from '../alarm-rows.ts'

/**
 * Saves what the alarm engine decided (cloud/alarms/engine/writes.ts) on PostgreSQL, inside the
 * caller's transaction: storage only, no policy (as cloud/store/sqlite/alarm-writes.ts). Returns
 * the alarm written (null: nothing) and adds the changes to tell after commit to `changes`.
 */
export async function saveAlarm(tx: PgTx, w: AlarmWrite, changes: AlarmChange[]): Promise<number | null> {
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

/** Appends one timeline entry (the timeline is append-only: nothing updates or deletes one). */
export async function appendTimeline(tx: PgTx, alarm: number, entry: TimelineEntry): Promise<void> {
  // Timeline ids commit in id order (tx.ts LOCKS.alarmTimeline): re-taking it in one transaction is free.
  await lock(tx, LOCKS.alarmTimeline)
  await tx
    .insert(alarmTimeline)
    .values({ alarm, at: entry.at, actor: entry.actor, action: entry.action, detail: entry.detail })
}
