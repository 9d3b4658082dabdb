import type { Logger } from 'pino'
import type { PointEvaluator } from '../../../shared/rules/evaluate.ts'
import type { DataBatch } from '../../../shared/wire/messages.ts'
import type { Sample } from '../../../shared/wire/sample.ts'
import { batchMode } from '../../alarms/engine/point.ts'
import type { AlarmChange } from '../../alarms/model.ts'
import { emptyIngestResult, logOutboxSeen, warnUnmatched } from '../ingest-notes.ts'
import type { IngestMeta, IngestResult } from '../repos/ingest.ts'
import { insertBatchRow, markEvaluated, pendingBatches, storedAlready, touchEdge } from './batch-rows.ts'
import { recordCameraEvents } from './camera-events.ts'
import type { PgDb } from './db.ts'
import { upsertGap } from './gaps.ts'
import { type BatchWork, evaluateBatch, finishReplay, flushWork } from './ingest-evaluate.ts'
import { updateLatest } from './latest.ts'
import { noteOutbox, setAckMark } from './outboxes.ts'
import type { PgPlanInTx } from './ownership.ts'
import { finalizeReplay } from './replay.ts'
import { mergeRollups } from './rollup-writes.ts'
import { writeBlock } from './sample-blocks.ts'
import { lockEdgeBatches, type PgTx } from './tx.ts'

/**
 * Run first in every batch transaction of an edge, right after its batch lock: throws when this
 * process may not write the edge's batches (cloud/cluster/: the replica no longer holds the
 * edge's owner lock), which rolls the transaction back. Absent: one process, every edge its own.
 */
export type BatchFence = (tx: PgTx, edge: string) => Promise<void>

export interface PgIngestDeps {
  /** Issue 16: another replica may own the edge now (see BatchFence). */
  fence?: BatchFence
  evaluate: PointEvaluator
  log: Logger
  /** Told after the commit, once per change. */
  emit: (change: AlarmChange) => void
  planInTx: PgPlanInTx
}

/**
 * The batch transaction on PostgreSQL (issue 15: "a batch, its samples, its alarm changes, its
 * planned pushes and the ack mark commit together or not at all"), as cloud/store/sqlite/ingest.ts.
 * Each call is ONE `db.transaction`; its first statement takes the edge's batch lock
 * (tx.ts lockEdgeBatches), which serializes what SQLite's BEGIN IMMEDIATE did for two batches of
 * one edge (two cloud replicas, issue 16): the stored-key check and the row, the outbox, the
 * points' state. A throw (or a lost connection) rolls everything back and rejects; the changes
 * are told only after the commit.
 */
export function createPgIngest(db: PgDb, deps: PgIngestDeps) {
  /** Runs `fn` in the edge's serialized transaction, tells the changes after commit. */
  async function inBatchTx(edge: string, fn: (w: BatchWork) => Promise<IngestResult>): Promise<IngestResult> {
    const changes: AlarmChange[] = []
    const result = await db.transaction(async (tx) => {
      await lockEdgeBatches(tx, edge)
      await deps.fence?.(tx, edge)
      const w: BatchWork = {
        tx,
        evaluate: deps.evaluate,
        log: deps.log,
        result: emptyIngestResult(),
        changes,
        traces: [],
        suppressed: [],
      }
      return fn(w)
    })
    warnUnmatched(deps.log, edge, result)
    // Told only once committed: a rolled-back transaction changed nothing.
    for (const c of changes) deps.emit(c)
    return result
  }

  /** The batch's outbox, before its row: a replaced outbox's replay copies are settled (its backlog will not come). */
  async function outboxStep(w: BatchWork, batch: DataBatch, at: number): Promise<void> {
    const seen = await noteOutbox(w.tx, batch.edge, batch.outbox, at)
    if (seen.kind === 'replaced')
      await finalizeReplay(
        w.tx,
        { edge: batch.edge, outbox: seen.replacement.oldOutbox, seq: Number.MAX_SAFE_INTEGER },
        w.changes,
        w.log,
      )
    logOutboxSeen(w.log, { edge: batch.edge, outbox: batch.outbox }, seen)
  }

  /** What every stored batch writes besides its evaluation: edge row, ack mark, samples, rollups, latest values, gaps, camera events. */
  async function storeContent(tx: PgTx, w: BatchWork, batch: DataBatch, meta: IngestMeta): Promise<void> {
    await touchEdge(tx, batch, meta.site, meta.receivedAt)
    // The ack mark this batch makes, in the same transaction.
    if (meta.ackedThrough !== undefined) await setAckMark(tx, batch.edge, batch.outbox, meta.ackedThrough)
    await writeBlock(
      tx,
      { edge: batch.edge, outbox: batch.outbox, seq: batch.seq, receivedAt: meta.receivedAt },
      batch.samples,
    )
    await mergeRollups(tx, batch.samples)
    await updateLatest(tx, batch.edge, batch.samples)
    // What the edge dropped, stored with the batch that reports it (so it is acked only once stored).
    for (const g of batch.gaps ?? []) await upsertGap(tx, batch.edge, g, meta.receivedAt)
    if (batch.events)
      await recordCameraEvents(
        tx,
        { edge: batch.edge, site: meta.site, receivedAt: meta.receivedAt },
        batch.events,
        w,
        w.log,
      )
  }

  return {
    /** Stores a batch; evaluates it now when `inOrder`, else leaves it for evaluateThrough. */
    ingest(batch: DataBatch, meta: IngestMeta & { inOrder: boolean; hash: string }): Promise<IngestResult> {
      const mode = batchMode(meta.inOrder, batch.historical, meta.historical)
      return inBatchTx(batch.edge, async (w) => {
        // Stored before: a resend (same content) or a conflict (the key reused for other content).
        const again = await storedAlready(w.tx, batch, meta.hash)
        if (again) return again
        await outboxStep(w, batch, meta.receivedAt)
        // Only after the outbox step adopted the batches stored before outbox ids: those carry no hash.
        if (!(await insertBatchRow(w.tx, batch, meta, mode)))
          return (await storedAlready(w.tx, batch, meta.hash)) ?? { ...emptyIngestResult(), duplicate: true }
        w.result.samples = batch.samples.length
        w.result.deferred = mode.deferred
        await storeContent(w.tx, w, batch, meta)
        if (!mode.deferred) {
          const at = { edge: batch.edge, outbox: batch.outbox, seq: batch.seq, at: meta.receivedAt, ...mode }
          const waiting = await evaluateBatch(w, at, batch.samples, batch.alarms ?? [])
          if (waiting.length > 0) await markEvaluated(w.tx, at, waiting)
          if (meta.inOrder) await finishReplay(w, batch.edge, batch.outbox, batch.seq)
        }
        await flushWork(w)
        // The pushes these changes call for, committed with them (push-outbox.ts).
        await deps.planInTx(w.tx, w.changes)
        return w.result
      })
    },

    /** Evaluates, in seq order, the outbox's stored batches up to `through` that were left for later. */
    evaluateThrough(edge: string, through: number, at: number, outbox: string): Promise<IngestResult> {
      return inBatchTx(edge, async (w) => {
        for (const b of await pendingBatches(w.tx, edge, outbox, through)) {
          const list: Sample[] = b.samples ?? []
          const batchAt = { edge, outbox, seq: b.seq, at, historical: b.historical, live: false }
          const waiting = await evaluateBatch(w, batchAt, list, b.alarms ?? [])
          await markEvaluated(w.tx, batchAt, waiting)
          w.result.samples += list.length
        }
        await finishReplay(w, edge, outbox, through)
        await flushWork(w)
        await deps.planInTx(w.tx, w.changes)
        return w.result
      })
    },
  }
}
