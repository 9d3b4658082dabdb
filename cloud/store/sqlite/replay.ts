import { and, desc, eq, lt, lte, sql } from 'drizzle-orm'
import type { Logger } from 'pino'
import { parseRuleState, type AlarmEvent, type PointRuleState } from '../../../shared/rules/evaluate.ts'
import type { AlarmChange } from '../store.ts'
import { append } from './alarms.ts'
import type { Db } from './db.ts'
import { alarms, replayState, ruleState, type ReplayOpenRaise } from './schema.ts'

/**
 * Replay-aware rule state: live data first, the backlog's alarms still with their own times.
 *
 * When an edge comes back after an outage it sends live batches before its backlog
 * (edge/uplink/forward.ts). The cloud evaluates a live batch at once, against the point's live
 * state, so a crossing now is raised and notified now. Just before the live state jumps over
 * the outage, the point's state is copied here (`snapshot`); the backlog is then evaluated in
 * seq order against that copy, so crossings during the outage are found with their original
 * times, and the live state is not disturbed by old samples.
 *
 * What a backlog evaluation finds is history: it is recorded, never notified (changes are
 * emitted `historical`, the dispatcher skips them), with one exception below.
 * - a raise is held (`open`) until its end is known;
 * - its recovery within the backlog writes a closed episode (raised and recovered then);
 * - a recovery of an alarm that was active before the outage recovers that alarm at its
 *   original time (or moves an earlier live recovery back to it);
 * - when the backlog below the resume point is done (`finalize`), a raise still open is the
 *   beginning of the live alarm of the same kind if there is one (its raise time moves back to
 *   when the condition began); if there is none but the live state has the condition, the alarm
 *   is active now and nobody was told: it is raised and notified; otherwise it ended before live
 *   data resumed: a closed episode ending at the resume time.
 */
export interface ReplayRow {
  point: string
  edge: string
  /** The outbox whose seqs resumeSeq counts (a replaced outbox's copies are settled: ingest.ts). */
  outbox: string
  state: PointRuleState | null
  resumeSeq: number
  resumeTs: number
  open: Record<string, ReplayOpenRaise>
}

export function createReplayOps(db: Db, log: Logger) {
  const byPoint = db.select().from(replayState).where(eq(replayState.point, sql.placeholder('point'))).prepare()
  const anyOfEdge = db.select({ outbox: replayState.outbox }).from(replayState).where(eq(replayState.edge, sql.placeholder('edge'))).limit(1).prepare()
  /** Whether any point of the edge is replaying the outbox's backlog (the common answer, no, costs one index probe per batch). */
  const active = (edge: string, outbox: string): boolean => {
    const row = anyOfEdge.get({ edge })
    return row !== undefined && (row.outbox === outbox || db.select({ point: replayState.point }).from(replayState).where(and(eq(replayState.edge, edge), eq(replayState.outbox, outbox))).limit(1).get() !== undefined)
  }
  const load = (point: string): ReplayRow | null => {
    const row = byPoint.get({ point })
    if (!row) return null
    return { ...row, state: row.state === null ? null : parseRuleState(row.state), open: { ...row.open } }
  }

  /** Before a live batch jumps over the backlog: keep the point's state where the backlog resumes (once). */
  function snapshot(edge: string, outbox: string, point: string, seq: number, firstTs: number, live: unknown): void {
    db.insert(replayState).values({ point, edge, outbox, state: live ?? null, resumeSeq: seq, resumeTs: firstTs, open: {} }).onConflictDoNothing().run()
  }

  function save(row: ReplayRow, state: PointRuleState | null): void {
    db.update(replayState).set({ ...(state ? { state } : {}), open: row.open }).where(eq(replayState.point, row.point)).run()
  }

  /** A closed episode from the backlog: raised and recovered during the outage. */
  function writeEpisode(point: string, kind: string, raise: ReplayOpenRaise, recover: { ts: number; value: number | null }, changes: AlarmChange[], note: Record<string, unknown> = {}): void {
    const row = db
      .insert(alarms)
      .values({ point, kind, priority: raise.priority, raisedAt: raise.ts, value: raise.value, limit: raise.limit, recoveredAt: recover.ts, recoveredValue: recover.value, state: 'recovered', repeats: raise.repeats ?? 0 })
      .returning({ id: alarms.id })
      .get()
    append(db, row.id, { at: raise.ts, actor: 'system', action: 'raise', detail: { kind, priority: raise.priority, value: raise.value, limit: raise.limit, historical: true } })
    append(db, row.id, { at: recover.ts, actor: 'system', action: 'recover', detail: { value: recover.value, historical: true, ...note } })
    changes.push({ alarm: row.id, action: 'raise', at: raise.ts, historical: true }, { alarm: row.id, action: 'recover', at: recover.ts, historical: true })
  }

  /** One event of a backlog evaluation (see above). */
  function apply(row: ReplayRow, e: AlarmEvent, changes: AlarmChange[]): void {
    if (e.type === 'raise') {
      row.open[e.kind] = { ts: e.ts, value: e.value, limit: e.limit, priority: e.priority }
      return
    }
    if (e.type === 'repeat') {
      // Counted on the latched episode: the one open in the backlog, or the one active before it.
      const open = row.open[e.kind]
      if (open) open.repeats = e.repeats
      else db.update(alarms).set({ repeats: e.repeats }).where(and(eq(alarms.point, row.point), eq(alarms.kind, e.kind), eq(alarms.state, 'active'), lt(alarms.raisedAt, row.resumeTs))).run()
      return
    }
    const open = row.open[e.kind]
    if (open) {
      delete row.open[e.kind]
      writeEpisode(row.point, e.kind, open, { ts: e.ts, value: e.value }, changes)
      return
    }
    // The alarm was active when the outage began: it ended during the outage.
    const before = db.select().from(alarms).where(and(eq(alarms.point, row.point), eq(alarms.kind, e.kind), lt(alarms.raisedAt, row.resumeTs))).orderBy(desc(alarms.raisedAt)).get()
    if (!before) return
    if (before.state === 'active' || (before.recoveredAt !== null && before.recoveredAt > e.ts)) {
      db.update(alarms).set({ state: 'recovered', recoveredAt: e.ts, recoveredValue: e.value, ...(e.repeats === undefined ? {} : { repeats: e.repeats }) }).where(eq(alarms.id, before.id)).run()
      append(db, before.id, { at: e.ts, actor: 'system', action: 'recover', detail: { value: e.value, historical: true, ...(before.recoveredAt !== null ? { correctedFrom: before.recoveredAt } : {}) } })
      changes.push({ alarm: before.id, action: 'recover', at: e.ts, historical: true })
    }
  }

  /** The outbox's backlog below each point's resume seq is evaluated through `seq`: settle what is open, forget the copies. */
  function finalize(edge: string, outbox: string, seq: number, changes: AlarmChange[]): number {
    const done = db.select().from(replayState).where(and(eq(replayState.edge, edge), eq(replayState.outbox, outbox), lte(replayState.resumeSeq, seq + 1))).all()
    for (const r of done) {
      for (const [kind, open] of Object.entries(r.open)) {
        const live = db.select().from(alarms).where(and(eq(alarms.point, r.point), eq(alarms.kind, kind), eq(alarms.state, 'active'))).get()
        if (live) {
          if (live.raisedAt > open.ts) {
            db.update(alarms).set({ raisedAt: open.ts, value: open.value, limit: open.limit }).where(eq(alarms.id, live.id)).run()
            append(db, live.id, { at: open.ts, actor: 'system', action: 'raise', detail: { kind, priority: open.priority, value: open.value, limit: open.limit, historical: true, firstSeenLiveAt: live.raisedAt } })
          }
          continue
        }
        const state = parseRuleState(db.select({ state: ruleState.state }).from(ruleState).where(eq(ruleState.point, r.point)).get()?.state)
        if (state && isActive(state, kind)) {
          const row = db.insert(alarms).values({ point: r.point, kind, priority: open.priority, raisedAt: open.ts, value: open.value, limit: open.limit }).onConflictDoNothing().returning({ id: alarms.id }).get()
          if (!row) continue
          append(db, row.id, { at: open.ts, actor: 'system', action: 'raise', detail: { kind, priority: open.priority, value: open.value, limit: open.limit, foundInBacklog: true } })
          // Active now and never announced: this one is notified.
          changes.push({ alarm: row.id, action: 'raise', at: open.ts })
          log.warn({ point: r.point, kind, since: open.ts }, 'an alarm that began during the outage is still active: raised now')
          continue
        }
        writeEpisode(r.point, kind, open, { ts: r.resumeTs, value: null }, changes, { recoveredBeforeLiveData: true })
      }
      db.delete(replayState).where(eq(replayState.point, r.point)).run()
    }
    return done.length
  }

  return { active, load, snapshot, save, apply, finalize }
}

function isActive(state: PointRuleState, kind: string): boolean {
  if (kind === 'ROC') return state.rate?.active === true
  if (kind === 'DIGITAL') return state.digital === true
  return (state.threshold.active as Record<string, unknown>)[kind] !== undefined
}
