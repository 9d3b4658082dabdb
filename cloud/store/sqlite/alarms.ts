import { and, asc, desc, eq, gte, isNull, lt, or, sql, type SQL } from 'drizzle-orm'
import { isaAct, type IsaAction } from '../../alarms/isa.ts'
import { act, type Action, type DisposalFacts, type TimelineEntry } from '../../alarms/workflow.ts'
import type { AlarmActOutcome, AlarmChange, AlarmFilter, AlarmRecord, SystemAlarmKind } from '../store.ts'
import type { Db } from './db.ts'
import { alarmTimeline, alarms, cameras, points } from './schema.ts'
import { alarmRecordOf } from '../alarm-rows.ts'
import { inScope } from './scope.ts'
import type { PlanInTx } from './push-outbox.ts'
import { append, createAlarmWrites } from './alarm-writes.ts'
import { systemRaiseWrite, systemRecoverWrite, type SystemRaise } from '../../alarms/engine/system.ts'
import type { Scope } from '../store.ts'

/**
 * Alarms as the park handles them: listing, the timeline, and the workflow actions, each in one
 * transaction that checks the action against the stored state (cloud/alarms/workflow.ts) and
 * appends exactly one timeline entry.
 */
export function createAlarmOps(db: Db, emit: (change: AlarmChange) => void, planInTx: PlanInTx = () => {}) {
  // A camera's alarms (camera:{id}) take the camera's name and enterprise.
  const writes = createAlarmWrites(db)
  const pointName = sql<string | null>`coalesce(${points.name}, ${cameras.name})`
  const enterprise = sql<string | null>`coalesce(${points.enterprise}, ${cameras.enterprise})`
  const select = () =>
    db
      .select({ alarm: alarms, pointName, enterprise })
      .from(alarms)
      .leftJoin(points, eq(points.id, alarms.point))
      .leftJoin(cameras, eq(sql`'camera:' || ${cameras.id}`, alarms.point))
  const toRecord = alarmRecordOf
  const get = (id: number, scope: Scope) => {
    const row = select()
      .where(and(eq(alarms.id, id), inScope(scope, enterprise)))
      .get()
    return row ? toRecord(row) : null
  }

  return {
    get,

    list(filter: AlarmFilter): AlarmRecord[] {
      const conditions: SQL[] = []
      const scoped = inScope(filter.scope, enterprise)
      if (scoped) conditions.push(scoped)
      if (filter.state === 'active') conditions.push(eq(alarms.state, 'active'))
      if (filter.state === 'open') conditions.push(isNull(alarms.closedAt))
      if (filter.point !== undefined) conditions.push(eq(alarms.point, filter.point))
      if (filter.priority !== undefined) conditions.push(eq(alarms.priority, filter.priority))
      if (filter.kind !== undefined) conditions.push(eq(alarms.kind, filter.kind))
      if (filter.text !== undefined) {
        const pattern = `%${filter.text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`
        conditions.push(
          or(sql`${alarms.point} LIKE ${pattern} ESCAPE '\\'`, sql`${pointName} LIKE ${pattern} ESCAPE '\\'`)!,
        )
      }
      if (filter.enterprise !== undefined) conditions.push(sql`${enterprise} = ${filter.enterprise}`)
      if (filter.raisedFrom !== undefined) conditions.push(gte(alarms.raisedAt, filter.raisedFrom))
      if (filter.raisedTo !== undefined) conditions.push(lt(alarms.raisedAt, filter.raisedTo))
      return select()
        .where(and(...conditions))
        .orderBy(desc(alarms.raisedAt), desc(alarms.id))
        .limit(filter.limit)
        .offset(filter.offset ?? 0)
        .all()
        .map(toRecord)
    },

    timeline(id: number, scope: Scope): TimelineEntry[] | null {
      if (!get(id, scope)) return null
      return db
        .select()
        .from(alarmTimeline)
        .where(eq(alarmTimeline.alarm, id))
        .orderBy(asc(alarmTimeline.id))
        .all()
        .map((e) => ({ at: e.at, actor: e.actor, action: e.action as TimelineEntry['action'], detail: e.detail }))
    },

    act(id: number, action: Action, now: number, scope: Scope): AlarmActOutcome {
      const outcome = db.transaction(
        (tx): AlarmActOutcome => {
          const current = get(id, scope)
          if (!current) return { ok: false, code: 'NOT_FOUND', message: `no alarm ${id}` }
          const r = act(
            {
              ...current.disposal,
              priority: current.priority,
              raisedAt: current.raisedAt,
              recoveredAt: current.recoveredAt,
              suppressed: false,
            },
            action,
            now,
          )
          if (!r.ok) return { ok: false, code: r.code, message: r.message, alarm: current }
          const { priority: _p, raisedAt: _r, recoveredAt: _rec, suppressed: _s, ...facts } = r.disposal
          tx.update(alarms)
            .set({ disposal: facts, closedAt: facts.closed?.at ?? null })
            .where(eq(alarms.id, id))
            .run()
          append(tx, id, r.entry)
          planInTx([{ alarm: id, action: action.type, at: now }]) // a triage as valid may call for pushes
          return { ok: true, alarm: get(id, scope)! }
        },
        { behavior: 'immediate' },
      )
      if (outcome.ok) emit({ alarm: id, action: action.type, at: now })
      return outcome
    },

    /** An ISA-18.2 overlay step (shelve, unshelve, out of service), checked by the pure machine. */
    overlay(id: number, action: IsaAction | { type: 'shelve_expired' }, now: number, scope: Scope): AlarmActOutcome {
      const outcome = db.transaction(
        (tx): AlarmActOutcome => {
          const current = get(id, scope)
          if (!current) return { ok: false, code: 'NOT_FOUND', message: `no alarm ${id}` }
          const r = isaAct(current, action, now)
          if (!r.ok) return { ok: false, code: 'ALARM_STATE_CONFLICT', message: r.message, alarm: current }
          tx.update(alarms).set({ disposal: r.facts }).where(eq(alarms.id, id)).run()
          append(tx, id, r.entry)
          return { ok: true, alarm: get(id, scope)! }
        },
        { behavior: 'immediate' },
      )
      if (outcome.ok) emit({ alarm: id, action: action.type === 'shelve_expired' ? 'unshelve' : action.type, at: now })
      return outcome
    },

    raiseSystem(a: SystemRaise): boolean {
      const changes: AlarmChange[] = []
      const id = db.transaction(
        () => {
          const id = writes.save(systemRaiseWrite(a), changes)
          // Its pushes, committed with it (push-outbox.ts).
          planInTx(changes)
          return id
        },
        { behavior: 'immediate' },
      )
      for (const c of changes) emit(c)
      return id !== null
    },

    recoverSystem(point: string, kind: SystemAlarmKind, ts: number, value: number): boolean {
      const changes: AlarmChange[] = []
      const id = db.transaction(() => writes.save(systemRecoverWrite(point, kind, ts, value), changes), {
        behavior: 'immediate',
      })
      for (const c of changes) emit(c)
      return id !== null
    },

    /** A system note (reminder, overdue) with the facts it changes. */
    note(id: number, entry: TimelineEntry, facts: DisposalFacts): void {
      db.transaction(
        (tx) => {
          tx.update(alarms).set({ disposal: facts }).where(eq(alarms.id, id)).run()
          append(tx, id, entry)
          planInTx([{ alarm: id, action: entry.action, at: entry.at }]) // an overdue alarm may call for an escalation
        },
        { behavior: 'immediate' },
      )
      emit({ alarm: id, action: entry.action, at: entry.at })
    },
  }
}
