import { and, eq, lte, sql } from 'drizzle-orm'
import type { Logger } from 'pino'
import { parseRuleState, type AlarmEvent, type PointRuleState } from '../../../shared/rules/evaluate.ts'
import type { AlarmChange } from '../../alarms/model.ts'
import { backlogEvent, settleOpenRaise, type ReplayCopy } from '../../alarms/engine/replay.ts'
import type { AlarmWrites } from './alarm-writes.ts'
import type { Db } from './db.ts'
import { replayState, ruleState } from './schema.ts'

/**
 * Storage of the replay copies (the policy is cloud/alarms/engine/replay.ts): a point's rule
 * state kept where an edge's backlog resumes, the backlog's open raises, and the writes the
 * engine decides when the backlog is evaluated and settled.
 */
export interface ReplayRow extends ReplayCopy {
  edge: string
  /** The outbox whose seqs resumeSeq counts (a replaced outbox's copies are settled: ingest.ts). */
  outbox: string
  resumeSeq: number
}

export function createReplayOps(db: Db, writes: AlarmWrites, log: Logger) {
  const byPoint = db
    .select()
    .from(replayState)
    .where(eq(replayState.point, sql.placeholder('point')))
    .prepare()
  const anyOfEdge = db
    .select({ outbox: replayState.outbox })
    .from(replayState)
    .where(eq(replayState.edge, sql.placeholder('edge')))
    .limit(1)
    .prepare()
  /** Whether any point of the edge is replaying the outbox's backlog (the common answer, no, costs one index probe per batch). */
  const active = (edge: string, outbox: string): boolean => {
    const row = anyOfEdge.get({ edge })
    return (
      row !== undefined &&
      (row.outbox === outbox ||
        db
          .select({ point: replayState.point })
          .from(replayState)
          .where(and(eq(replayState.edge, edge), eq(replayState.outbox, outbox)))
          .limit(1)
          .get() !== undefined)
    )
  }
  const load = (point: string): ReplayRow | null => {
    const row = byPoint.get({ point })
    if (!row) return null
    return { ...row, state: row.state === null ? null : parseRuleState(row.state), open: { ...row.open } }
  }

  /** Before a live batch jumps over the backlog: keep the point's state where the backlog resumes (once). */
  function snapshot(edge: string, outbox: string, point: string, seq: number, firstTs: number, live: unknown): void {
    db.insert(replayState)
      .values({ point, edge, outbox, state: live ?? null, resumeSeq: seq, resumeTs: firstTs, open: {} })
      .onConflictDoNothing()
      .run()
  }

  function save(row: ReplayRow, state: PointRuleState | null): void {
    db.update(replayState)
      .set({ ...(state ? { state } : {}), open: row.open })
      .where(eq(replayState.point, row.point))
      .run()
  }

  /** One event of a backlog evaluation, as the engine decides it; the row's open raises follow. */
  function apply(row: ReplayRow, e: AlarmEvent, changes: AlarmChange[]): void {
    const step = backlogEvent(row, e, (kind) => writes.earlier(row.point, kind, row.resumeTs))
    row.open = step.open
    for (const w of step.writes) writes.save(w, changes)
  }

  /** The outbox's backlog below each point's resume seq is evaluated through `seq`: settle what is open, forget the copies. */
  function finalize(edge: string, outbox: string, seq: number, changes: AlarmChange[]): number {
    const done = db
      .select()
      .from(replayState)
      .where(and(eq(replayState.edge, edge), eq(replayState.outbox, outbox), lte(replayState.resumeSeq, seq + 1)))
      .all()
    for (const r of done) {
      const copy: ReplayCopy = { point: r.point, state: null, resumeTs: r.resumeTs, open: r.open }
      for (const [kind, open] of Object.entries(r.open)) {
        const live = writes.active(r.point, kind)
        const liveState = live
          ? null
          : parseRuleState(
              db.select({ state: ruleState.state }).from(ruleState).where(eq(ruleState.point, r.point)).get()?.state,
            )
        const w = settleOpenRaise(copy, kind, open, live, liveState)
        if (w && writes.save(w, changes) !== null && w.type === 'raise')
          log.warn(
            { point: r.point, kind, since: open.ts },
            'an alarm that began during the outage is still active: raised now',
          )
      }
      db.delete(replayState).where(eq(replayState.point, r.point)).run()
    }
    return done.length
  }

  return { active, load, snapshot, save, apply, finalize }
}
