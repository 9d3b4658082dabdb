import { and, asc, desc, eq } from 'drizzle-orm'
import type { IsaAction } from '../../alarms/isa.ts'
import { overlayStep, workflowStep, type AlarmStep } from '../../alarms/engine/steps.ts'
import type { Action, DisposalFacts, TimelineEntry } from '../../alarms/workflow.ts'
import type { AlarmActOutcome, AlarmChange, AlarmFilter, AlarmRecord, SystemAlarmKind } from '../store.ts'
import type { Db } from './db.ts'
import { alarmTimeline, alarms, cameras, points } from './schema.ts'
import { inScope } from './scope.ts'
import type { PlanInTx } from './push-outbox.ts'
import { append, createAlarmWrites } from './alarm-writes.ts'
import { systemRaiseWrite, systemRecoverWrite, type SystemRaise } from '../../alarms/engine/system.ts'
import type { Scope } from '../store.ts'
import { alarmRecordOf, timelineEntryOf } from '../alarm-rows.ts'
import { alarmConditions, alarmOwner } from '../alarm-filter.ts'

/**
 * Alarms as the park handles them: listing, the timeline, and the workflow actions, each in one
 * transaction that checks the action against the stored state (cloud/alarms/engine/steps.ts) and
 * appends exactly one timeline entry.
 */
export function createAlarmOps(db: Db, emit: (change: AlarmChange) => void, planInTx: PlanInTx = () => {}) {
  const writes = createAlarmWrites(db)
  const { pointName, enterprise, cameraPoint } = alarmOwner(points, cameras)
  const select = () =>
    db
      .select({ alarm: alarms, pointName, enterprise })
      .from(alarms)
      .leftJoin(points, eq(points.id, alarms.point))
      .leftJoin(cameras, eq(cameraPoint, alarms.point))
  const { point, kind, priority, state, closedAt, raisedAt } = alarms
  const filterColumns = { point, kind, priority, state, closedAt, raisedAt }
  const get = (id: number, scope: Scope) => {
    const row = select()
      .where(and(eq(alarms.id, id), inScope(scope, enterprise)))
      .get()
    return row ? alarmRecordOf(row) : null
  }
  /** A person's step: decided on the stored alarm, saved with its entry (and its pushes) in one transaction. */
  const step = (id: number, scope: Scope, decide: (current: AlarmRecord) => AlarmStep): AlarmActOutcome => {
    const outcome = db.transaction(
      (tx): AlarmActOutcome & { change?: AlarmChange } => {
        const current = get(id, scope)
        if (!current) return { ok: false, code: 'NOT_FOUND', message: `no alarm ${id}` }
        const r = decide(current)
        if (!r.ok) return r
        tx.update(alarms).set({ disposal: r.facts, closedAt: r.closedAt }).where(eq(alarms.id, id)).run()
        append(tx, id, r.entry)
        if (r.plansPushes) planInTx([r.change]) // a triage as valid may call for pushes
        return { ok: true, alarm: get(id, scope)!, change: r.change }
      },
      { behavior: 'immediate' },
    )
    if (!outcome.ok) return outcome
    const { change, ...done } = outcome
    emit(change!)
    return done
  }

  return {
    get,

    list(filter: AlarmFilter): AlarmRecord[] {
      return select()
        .where(and(...alarmConditions(filter, { ...filterColumns, pointName, enterprise }, 'LIKE')))
        .orderBy(desc(alarms.raisedAt), desc(alarms.id))
        .limit(filter.limit)
        .offset(filter.offset ?? 0)
        .all()
        .map(alarmRecordOf)
    },

    timeline(id: number, scope: Scope): TimelineEntry[] | null {
      if (!get(id, scope)) return null
      return db
        .select()
        .from(alarmTimeline)
        .where(eq(alarmTimeline.alarm, id))
        .orderBy(asc(alarmTimeline.id))
        .all()
        .map(timelineEntryOf)
    },

    act(id: number, action: Action, now: number, scope: Scope): AlarmActOutcome {
      return step(id, scope, (current) => workflowStep(current, action, now))
    },

    /** An ISA-18.2 overlay step (shelve, unshelve, out of service). */
    overlay(id: number, action: IsaAction | { type: 'shelve_expired' }, now: number, scope: Scope): AlarmActOutcome {
      return step(id, scope, (current) => overlayStep(current, action, now))
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
