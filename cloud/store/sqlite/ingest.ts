import { and, asc, eq, isNotNull, lte, sql } from 'drizzle-orm'
import type { Logger } from 'pino'
import type { DataBatch, EdgeAlarm } from '../../../shared/wire/messages.ts'
import type { Sample } from '../../../shared/wire/sample.ts'
import type { AlarmEvent, PointEvaluator, Suppression } from '../../../shared/rules/evaluate.ts'
import { ruleEventWrite } from '../../alarms/engine/rule-events.ts'
import { edgeAlarmEntry, edgeAlarmMatch } from '../../alarms/engine/edge-alarms.ts'
import {
  batchMode,
  evaluateBacklog,
  evaluateLive,
  groupByPoint,
  liveSnapshot,
  rulePointOf,
} from '../../alarms/engine/point.ts'
import { countTrace, type TraceRecord } from '../../alarms/engine/trace.ts'
import { createAlarmWrites } from './alarm-writes.ts'
import type { AlarmChange, IngestMeta, IngestResult } from '../store.ts'
import { append } from './alarm-writes.ts'
import type { Db } from './db.ts'
import { alarmSuppressions, batches, edges } from './schema.ts'
import { windowsByPoint } from './windows.ts'
import { createLatestOps } from './latest.ts'
import { createRuleFactOps } from './rule-facts.ts'
import { createBlockWriter, type SampleWriter } from './sample-blocks.ts'
import { createGapOps } from './gaps.ts'
import { recordCameraEvents } from './cameras.ts'
import { createReplayOps } from './replay.ts'
import { createLateOps } from './late.ts'
import { createOutboxOps, type OutboxSeen } from './outboxes.ts'
import type { PlanInTx } from './push-outbox.ts'
import { createRollupOps } from './rollups.ts'
import { batchRowOf } from '../batch-row.ts'
import { emptyIngestResult, logOutboxSeen, warnUnmatched } from '../ingest-notes.ts'

/**
 * The batch transaction (see Store.ingestBatch). Synchronous: better-sqlite3 runs it on this
 * thread, so it is atomic with respect to everything else in the process as well.
 */
export function createBatchIngest(
  db: Db,
  evaluate: PointEvaluator,
  log: Logger,
  emit: (change: AlarmChange) => void = () => {},
  planInTx: PlanInTx = () => {},
  // The hot path: a batch's samples are ONE historian block row (sample-blocks.ts), not a row each.
  blocks: SampleWriter = createBlockWriter(db),
) {
  const latest = createLatestOps(db)
  const gapOps = createGapOps(db)
  const late = createLateOps(db)
  const writes = createAlarmWrites(db)
  const replay = createReplayOps(db, writes, log)
  const outboxes = createOutboxOps(db)
  const rollups = createRollupOps(db)
  const ruleFacts = createRuleFactOps(db)

  /** Applies a rule event as the engine decides it (cloud/alarms/engine/rule-events.ts); counted when it changed an alarm. */
  function applyEvent(e: AlarmEvent, historical: boolean, result: IngestResult, changes: AlarmChange[]): void {
    const w = ruleEventWrite(e, historical)
    const id = writes.save(w, changes)
    if (id === null && w.type === 'raise')
      log.warn({ point: e.point, kind: e.kind }, 'alarm raise ignored: an alarm of this kind is already active')
    if (id === null) return
    if (e.type === 'raise') result.raised++
    else if (e.type === 'recover') result.recovered++
  }

  /** An edge's alarm change noted on the cloud's own episode (cloud/alarms/engine/edge-alarms.ts); false: none matches. */
  function reconcile(edge: string, e: EdgeAlarm): boolean {
    const id = writes.at(edgeAlarmMatch(e))
    if (id === null) return false
    append(db, id, edgeAlarmEntry(edge, e))
    return true
  }

  /** Samples the rules did not evaluate: traced beside them (late.ts) and counted. */
  function traceSamples(
    at: { edge: string; seq: number; receivedAt: number },
    point: string,
    records: readonly TraceRecord[],
    result: IngestResult,
  ): void {
    for (const r of records) late.record(at, point, r.reason, r.samples, r.evaluatedThrough)
    countTrace(result, records)
  }

  /** Raises a maintenance window swallowed: kept, for the window's report. */
  function recordSuppressed(list: readonly Suppression[], result: IngestResult): void {
    for (const x of list)
      db.insert(alarmSuppressions)
        .values({ window: x.window, point: x.point, kind: x.kind, priority: x.priority, ts: x.ts, value: x.value })
        .run()
    result.suppressed += list.length
  }

  /**
   * Rule evaluation of one batch's samples (and reconciliation of the edge's alarms), inside a
   * transaction. `live`: the batch overtook the edge's backlog (replay.ts); otherwise it is the
   * next batch in seq order, evaluated against the replay copy of a point's state if it has one.
   * Returns the edge alarms not matched yet because their episode waits for the replay's end.
   */
  function evaluateBatch(
    edge: string,
    outbox: string,
    seq: number,
    list: readonly Sample[],
    edgeAlarms: readonly EdgeAlarm[],
    at: number,
    result: IngestResult,
    changes: AlarmChange[],
    historical: boolean,
    live: boolean,
  ): EdgeAlarm[] {
    const times = list.map((s) => s.ts)
    const windows = times.length === 0 ? new Map() : windowsByPoint(db, Math.min(...times), Math.max(...times))
    const replaying = new Set<string>()
    const copies = !live && replay.active(edge, outbox)
    const groups = groupByPoint(list)
    // One read for the batch's points, one write for the states it moved (rule-facts.ts).
    const known = ruleFacts.read(groups.keys())
    const states = new Map<string, unknown>()
    for (const [point, group] of groups) {
      const facts = known.get(point) ?? null
      const rp = rulePointOf(point, facts, windows.get(point))
      const backlog = copies ? replay.load(point) : null
      if (backlog) {
        // History: evaluated against the copy, up to where live data took over.
        replaying.add(point)
        const out = evaluateBacklog(evaluate, rp, backlog, group)
        recordSuppressed(out.evaluation.suppressed, result)
        result.stale += out.stale
        traceSamples({ edge, seq, receivedAt: at }, point, out.trace, result)
        for (const e of out.evaluation.events) replay.apply(backlog, e, changes)
        if (out.evaluation.state || out.evaluation.events.length > 0) replay.save(backlog, out.evaluation.state)
        continue
      }
      const snapshot = liveSnapshot(rp, facts, group, live)
      if (snapshot) replay.snapshot(edge, outbox, point, seq, snapshot.firstTs, facts?.state)
      const out = evaluateLive(evaluate, rp, facts, group)
      if (out.unreadable) log.warn({ point }, 'unreadable rule state; evaluation starts fresh')
      recordSuppressed(out.evaluation.suppressed, result)
      result.stale += out.evaluation.stale
      traceSamples({ edge, seq, receivedAt: at }, point, out.trace, result)
      for (const e of out.evaluation.events) applyEvent(e, historical, result, changes)
      if (out.evaluation.state) states.set(point, out.evaluation.state)
    }
    ruleFacts.write(states, at)
    const waiting: EdgeAlarm[] = []
    for (const e of edgeAlarms) {
      if (reconcile(edge, e)) result.edgeAlarms.matched++
      else if (replaying.has(e.point)) waiting.push(e)
      else result.edgeAlarms.unmatched++
    }
    return waiting
  }

  /** The backlog is evaluated through `seq`: settle the replay copies done with, then the edge alarms that waited for them. */
  function finishReplay(edge: string, outbox: string, seq: number, result: IngestResult, changes: AlarmChange[]): void {
    if (!replay.active(edge, outbox) || replay.finalize(edge, outbox, seq, changes) === 0) return
    const waiting = db
      .select({ seq: batches.seq, alarms: batches.alarms })
      .from(batches)
      .where(
        and(eq(batches.edge, edge), eq(batches.outbox, outbox), eq(batches.evaluated, true), isNotNull(batches.alarms)),
      )
      .all()
    for (const b of waiting) {
      for (const e of b.alarms ?? []) {
        if (reconcile(edge, e)) result.edgeAlarms.matched++
        else result.edgeAlarms.unmatched++
      }
      db.update(batches)
        .set({ alarms: null })
        .where(and(eq(batches.edge, edge), eq(batches.outbox, outbox), eq(batches.seq, b.seq)))
        .run()
    }
  }

  const emptyResult = emptyIngestResult
  const finish = (edge: string, result: IngestResult, changes: AlarmChange[]) => {
    warnUnmatched(log, edge, result)
    // Told only once committed: a rolled-back transaction changed nothing.
    for (const c of changes) emit(c)
    return result
  }

  const storedHash = db.$client.prepare<[string, string, number], { hash: string | null }>(
    'SELECT hash FROM batches WHERE edge = ? AND outbox = ? AND seq = ?',
  )
  /** The result for a batch whose key is stored already: a duplicate, or a conflict when its content differs (batches stored before hashes count as duplicates). */
  function storedAlready(batch: DataBatch, hash: string): IngestResult | null {
    const row = storedHash.get(batch.edge, batch.outbox, batch.seq)
    if (!row) return null
    if (row.hash !== null && row.hash !== hash) return { ...emptyResult(), conflict: { storedHash: row.hash, hash } }
    return { ...emptyResult(), duplicate: true }
  }

  /** The outbox the batch names, before its row is written (outboxes.ts); a replaced outbox's replay copies are settled, its backlog will not come. */
  function noteOutbox(batch: DataBatch, at: number, changes: AlarmChange[]): OutboxSeen {
    const seen = outboxes.note(batch.edge, batch.outbox, at)
    if (seen.kind === 'replaced')
      replay.finalize(batch.edge, seen.replacement.oldOutbox, Number.MAX_SAFE_INTEGER, changes)
    logOutboxSeen(log, { edge: batch.edge, outbox: batch.outbox }, seen)
    return seen
  }

  return {
    /**
     * Stores a batch; evaluates its samples now when `inOrder` (it is the next batch of its edge),
     * else leaves it for evaluateThrough (rules see each edge's samples in the edge's order).
     */
    ingest(batch: DataBatch, meta: IngestMeta & { inOrder: boolean; hash: string }): IngestResult {
      const changes: AlarmChange[] = []
      // Ahead of a gap: live data is evaluated now (it overtook a backlog); replayed backlog
      // waits for the batches before it.
      const { live, deferred, historical } = batchMode(meta.inOrder, batch.historical, meta.historical)
      const result = db.transaction(
        (tx) => {
          // Stored before: a resend (same content) or a conflict (the key reused for other content).
          const again = storedAlready(batch, meta.hash)
          if (again) return again
          noteOutbox(batch, meta.receivedAt, changes)
          const maxTs = batch.samples.reduce((m, s) => Math.max(m, s.ts), -Infinity)
          const inserted = tx
            .insert(batches)
            .values(batchRowOf(batch, meta, { deferred, historical }, maxTs))
            .onConflictDoNothing()
            .run()
          // Only after noteOutbox adopted the batches stored before outbox ids: those carry no hash.
          if (inserted.changes === 0) return storedAlready(batch, meta.hash) ?? { ...emptyResult(), duplicate: true }
          // Data proves the edge is connected; online/session are decided by status messages.
          tx.insert(edges)
            // The ack mark this batch makes, in the same transaction (not one more commit per batch).
            .values({
              id: batch.edge,
              site: meta.site,
              session: batch.session,
              online: true,
              lastSeen: meta.receivedAt,
              outboxId: batch.outbox,
            })
            .onConflictDoUpdate({
              target: edges.id,
              set: { site: meta.site, lastSeen: sql`max(coalesce(${edges.lastSeen}, 0), excluded.last_seen)` },
            })
            .run()
          if (meta.ackedThrough !== undefined) outboxes.setMark(batch.edge, batch.outbox, meta.ackedThrough)
          blocks.write(
            { edge: batch.edge, outbox: batch.outbox, seq: batch.seq, receivedAt: meta.receivedAt },
            batch.samples,
          )
          rollups.add(batch.samples) // the 1-min and 1-h rollups, in this transaction (rollups.ts)
          latest.update(batch.edge, batch.samples) // every point's latest value: one statement (latest.ts)
          // What the edge dropped, stored with the batch that reports it (so it is acked only once stored).
          for (const g of batch.gaps ?? []) gapOps.upsert(batch.edge, g, meta.receivedAt)
          const result: IngestResult = { ...emptyResult(), samples: batch.samples.length, deferred }
          if (batch.events)
            recordCameraEvents(db, batch.edge, meta.site, batch.events, meta.receivedAt, result, changes, log)
          if (!deferred) {
            const waiting = evaluateBatch(
              batch.edge,
              batch.outbox,
              batch.seq,
              batch.samples,
              batch.alarms ?? [],
              meta.receivedAt,
              result,
              changes,
              historical,
              live,
            )
            if (waiting.length > 0)
              tx.update(batches)
                .set({ alarms: waiting })
                .where(and(eq(batches.edge, batch.edge), eq(batches.outbox, batch.outbox), eq(batches.seq, batch.seq)))
                .run()
            if (meta.inOrder) finishReplay(batch.edge, batch.outbox, batch.seq, result, changes)
          }
          // The pushes these changes call for, committed with them (push-outbox.ts).
          planInTx(changes)
          return result
        },
        { behavior: 'immediate' },
      )
      return finish(batch.edge, result, changes)
    },

    /** Evaluates, in seq order, the edge's stored batches up to `through` that were left for later. */
    evaluateThrough(edge: string, through: number, at: number, outbox: string): IngestResult {
      const changes: AlarmChange[] = []
      const result = db.transaction(
        (tx) => {
          const result = emptyResult()
          const pending = tx
            .select({
              seq: batches.seq,
              alarms: batches.alarms,
              historical: batches.historical,
              samples: batches.pendingSamples,
            })
            .from(batches)
            .where(
              and(
                eq(batches.edge, edge),
                eq(batches.outbox, outbox),
                eq(batches.evaluated, false),
                lte(batches.seq, through),
              ),
            )
            .orderBy(asc(batches.seq))
            .all()
          for (const b of pending) {
            // Kept with the batch until evaluated (legacy-samples.ts fills it for batches deferred before the historian).
            const list: Sample[] = b.samples ?? []
            const waiting = evaluateBatch(
              edge,
              outbox,
              b.seq,
              list,
              b.alarms ?? [],
              at,
              result,
              changes,
              b.historical,
              false,
            )
            tx.update(batches)
              .set({ evaluated: true, alarms: waiting.length > 0 ? waiting : null, pendingSamples: null })
              .where(and(eq(batches.edge, edge), eq(batches.outbox, outbox), eq(batches.seq, b.seq)))
              .run()
            result.samples += list.length
          }
          finishReplay(edge, outbox, through, result, changes)
          planInTx(changes)
          return result
        },
        { behavior: 'immediate' },
      )
      return finish(edge, result, changes)
    },
  }
}
