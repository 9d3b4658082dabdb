import { and, eq, lte } from 'drizzle-orm'
import type { Logger } from 'pino'
import { type AlarmEvent, parseRuleState, type PointRuleState } from '../../../shared/rules/evaluate.ts'
import { backlogEvent, type OpenRaise, type ReplayCopy, settleOpenRaise } from '../../alarms/engine/replay.ts'
import type { AlarmChange } from '../../alarms/model.ts'
import { activeAlarm, earlierAlarm, saveAlarm } from './alarm-writes.ts'
import { replayState, ruleState } from './schema.ts'
import type { PgTx } from './tx.ts'

/**
 * Storage of the replay copies on PostgreSQL (the policy is cloud/alarms/engine/replay.ts; as
 * cloud/store/sqlite/replay.ts): a point's rule state kept where an edge's backlog resumes, the
 * backlog's open raises, and the writes the engine decides when the backlog is evaluated and
 * settled. Every function runs inside the batch transaction, under the edge's batch lock.
 */
export interface PgReplayRow extends ReplayCopy {
  edge: string
  outbox: string
  resumeSeq: number
}

/** Whether any point of the edge is replaying the outbox's backlog (one index probe per batch). */
export async function replayActive(tx: PgTx, edge: string, outbox: string): Promise<boolean> {
  const rows = await tx
    .select({ point: replayState.point })
    .from(replayState)
    .where(and(eq(replayState.edge, edge), eq(replayState.outbox, outbox)))
    .limit(1)
  return rows.length > 0
}

export async function loadReplay(tx: PgTx, point: string): Promise<PgReplayRow | null> {
  const [row] = await tx.select().from(replayState).where(eq(replayState.point, point))
  if (!row) return null
  return { ...row, state: parseRuleState(row.state), open: { ...(row.open as Record<string, OpenRaise>) } }
}

/** Before a live batch jumps over the backlog: keep the point's state where the backlog resumes (once). */
export async function snapshotReplay(
  tx: PgTx,
  at: { edge: string; outbox: string; seq: number },
  point: string,
  firstTs: number,
  live: unknown,
): Promise<void> {
  await tx
    .insert(replayState)
    .values({
      point,
      edge: at.edge,
      outbox: at.outbox,
      state: live ?? null,
      resumeSeq: at.seq,
      resumeTs: firstTs,
      open: {},
    })
    .onConflictDoNothing()
}

export async function saveReplay(tx: PgTx, row: PgReplayRow, state: PointRuleState | null): Promise<void> {
  await tx
    .update(replayState)
    .set({ ...(state ? { state } : {}), open: row.open })
    .where(eq(replayState.point, row.point))
}

/** One event of a backlog evaluation, as the engine decides it; the row's open raises follow. */
export async function applyReplayEvent(
  tx: PgTx,
  row: PgReplayRow,
  e: AlarmEvent,
  changes: AlarmChange[],
): Promise<void> {
  // The engine asks only for the event's own kind: read it first, answer synchronously.
  const earlier = await earlierAlarm(tx, row.point, e.kind, row.resumeTs)
  const step = backlogEvent(row, e, () => earlier)
  row.open = step.open
  for (const w of step.writes) await saveAlarm(tx, w, changes)
}

/** The outbox's backlog below each point's resume seq is evaluated through `seq`: settle what is open, forget the copies. */
export async function finalizeReplay(
  tx: PgTx,
  o: { edge: string; outbox: string; seq: number },
  changes: AlarmChange[],
  log: Logger,
): Promise<number> {
  const done = await tx
    .select()
    .from(replayState)
    .where(and(eq(replayState.edge, o.edge), eq(replayState.outbox, o.outbox), lte(replayState.resumeSeq, o.seq + 1)))
  for (const r of done) {
    const open = r.open as Record<string, OpenRaise>
    const copy: ReplayCopy = { point: r.point, state: null, resumeTs: r.resumeTs, open }
    for (const [kind, raise] of Object.entries(open)) await settle(tx, copy, kind, raise, changes, log)
    await tx.delete(replayState).where(eq(replayState.point, r.point))
  }
  return done.length
}

async function settle(
  tx: PgTx,
  copy: ReplayCopy,
  kind: string,
  open: OpenRaise,
  changes: AlarmChange[],
  log: Logger,
): Promise<void> {
  const live = await activeAlarm(tx, copy.point, kind)
  const liveState = live
    ? null
    : parseRuleState(
        (await tx.select({ state: ruleState.state }).from(ruleState).where(eq(ruleState.point, copy.point)))[0]?.state,
      )
  const w = settleOpenRaise(copy, kind, open, live, liveState)
  if (w && (await saveAlarm(tx, w, changes)) !== null && w.type === 'raise')
    log.warn(
      { point: copy.point, kind, since: open.ts },
      'an alarm that began during the outage is still active: raised now',
    )
}
