import { and, desc, eq, lt, type SQL } from 'drizzle-orm'
import type { AlarmChange } from '../../alarms/model.ts'
import type { EarlierAlarm } from '../../alarms/engine/replay.ts'
import { changesOf, type AlarmPatch, type AlarmWrite, type NewAlarm } from '../../alarms/engine/writes.ts'
import type { Db } from './db.ts'
import { alarmTimeline, alarms } from './schema.ts'
import type { TimelineEntry } from '../../alarms/workflow.ts'
import { alarmRowOf } from '../alarm-rows.ts'

type Tx = Parameters<Parameters<Db['transaction']>[0]>[0]

/**
 * Saves what the alarm engine decided (cloud/alarms/engine/writes.ts) and reads what it needs:
 * storage only, no policy. Runs inside the caller's transaction (better-sqlite3: one thread,
 * so `db` is the transaction). `save` returns the alarm written (null: nothing) and adds the
 * changes to tell to `changes`.
 */
export function createAlarmWrites(db: Db) {
  const insert = (a: NewAlarm, conflict: 'skip' | 'fail') => {
    const values = alarmRowOf(a)
    const q = db.insert(alarms).values(values)
    // The partial unique index allows one active alarm per (point, kind): a conflict means it is active already.
    return (conflict === 'skip' ? q.onConflictDoNothing() : q).returning({ id: alarms.id }).get()?.id ?? null
  }
  const activeWhere = (point: string, kind: string, before?: number): SQL =>
    and(
      eq(alarms.point, point),
      eq(alarms.kind, kind),
      eq(alarms.state, 'active'),
      before === undefined ? undefined : lt(alarms.raisedAt, before),
    )!
  const patch = (where: SQL, p: AlarmPatch) =>
    (Object.keys(p).length === 0
      ? db.select({ id: alarms.id }).from(alarms).where(where).get()
      : db.update(alarms).set(p).where(where).returning({ id: alarms.id }).get()
    )?.id ?? null

  function save(w: AlarmWrite, changes: AlarmChange[]): number | null {
    const id =
      w.type === 'raise'
        ? insert(w.alarm, 'skip')
        : w.type === 'episode'
          ? insert(w.alarm, 'fail')
          : w.type === 'active'
            ? patch(activeWhere(w.point, w.kind, w.before), w.patch)
            : patch(eq(alarms.id, w.id), w.patch)
    if (id === null) return null
    for (const entry of w.type === 'raise' || w.type === 'episode' ? w.entries : w.entry ? [w.entry] : [])
      append(db, id, entry)
    changes.push(...changesOf(id, w.tell))
    if (w.type === 'raise' && w.andThen) {
      db.update(alarms).set(w.andThen.patch).where(eq(alarms.id, id)).run()
      append(db, id, w.andThen.entry)
      changes.push(...changesOf(id, w.andThen.tell))
    }
    return id
  }

  return {
    save,
    /** The active alarm of (point, kind), newest first should there be more. */
    active(point: string, kind: string): { id: number; raisedAt: number } | null {
      return (
        db
          .select({ id: alarms.id, raisedAt: alarms.raisedAt })
          .from(alarms)
          .where(activeWhere(point, kind))
          .orderBy(desc(alarms.id))
          .get() ?? null
      )
    },
    /** The newest alarm of (point, kind) raised before `ts`. */
    earlier(point: string, kind: string, ts: number): EarlierAlarm | null {
      return (
        db
          .select({ id: alarms.id, state: alarms.state, recoveredAt: alarms.recoveredAt })
          .from(alarms)
          .where(and(eq(alarms.point, point), eq(alarms.kind, kind), lt(alarms.raisedAt, ts)))
          .orderBy(desc(alarms.raisedAt))
          .get() ?? null
      )
    },
    /** The alarm raised (or recovered) at exactly this source time, for an edge's alarm change. */
    at(m: { point: string; kind: string; at: 'raisedAt' | 'recoveredAt'; ts: number }): number | null {
      return (
        db
          .select({ id: alarms.id })
          .from(alarms)
          .where(and(eq(alarms.point, m.point), eq(alarms.kind, m.kind), eq(alarms[m.at], m.ts)))
          .orderBy(desc(alarms.id))
          .get()?.id ?? null
      )
    },
  }
}

export type AlarmWrites = ReturnType<typeof createAlarmWrites>

/** Appends one timeline entry (the timeline is append-only: nothing updates or deletes one). */
export function append(tx: Tx | Db, alarm: number, entry: TimelineEntry): void {
  tx.insert(alarmTimeline)
    .values({ alarm, at: entry.at, actor: entry.actor, action: entry.action, detail: entry.detail })
    .run()
}
