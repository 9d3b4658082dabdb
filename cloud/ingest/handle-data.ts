import { ErrorCodes, ParklinkError, errorMessage } from '../../shared/errors.ts'
import { batchContentHash } from '../store/content-hash.ts'
import { decodeData, encode } from '../../shared/wire/codec.ts'
import { WIRE_VERSION, type Ack } from '../../shared/wire/messages.ts'
import { topic } from '../../shared/wire/topics.ts'
import { RejectReasons } from '../metrics.ts'
import type { IngestResult } from '../store/store.ts'
import { checkBatchTimes, countUnevaluated, defaultCloudTimeConfig } from './time-check.ts'
import { addressOf, reject, type InboundMessage, type IngestContext, type Rejected } from './context.ts'
import { judgeSender } from './judge.ts'
import { batchIds, screenBatch } from './screen.ts'

export type DataOutcome =
  | Rejected
  | { kind: 'stored' | 'duplicate'; through: number; result: IngestResult }
  | { kind: 'failed'; error: string }

/**
 * parklink/v1/{site}/{edge}/data: validate → keep only what the edge owns (ownership.ts) → store
 * once (unique (edge, outbox, seq)) → advance the outbox's contiguous mark → publish the ack
 * (retained, naming the outbox). A duplicate (same content) is acked again: its first ack may
 * have been lost. A conflict (the key stored with other content) and a store failure are NOT
 * acked; after a failure the edge resends from its outbox. What the edge does not own is refused
 * per item, and the batch is stored and acked for the rest (even when nothing is left: else it
 * is resent forever).
 */
export async function handleData(ctx: IngestContext, msg: InboundMessage): Promise<DataOutcome> {
  const address = addressOf(msg, 'data')
  if (typeof address === 'string') return reject(ctx, msg, RejectReasons.BAD_TOPIC, address)
  const decoded = decodeData(msg.payload)
  if (!decoded.ok) return reject(ctx, msg, RejectReasons.INVALID_PAYLOAD, decoded.error)
  if (decoded.value.edge !== address.edge) {
    return reject(
      ctx,
      msg,
      RejectReasons.EDGE_MISMATCH,
      `payload edge "${decoded.value.edge}" differs from topic edge "${address.edge}"`,
    )
  }
  const judged = await judgeSender(ctx, msg, address, batchIds(decoded.value))
  if ('refused' in judged) return judged.refused
  // The content hash (the duplicate/conflict test) is of the batch as the edge sent it: what the
  // cloud then takes out (foreign items) or marks (clock_skew) may differ between a batch and its
  // resend (a point moved, time passed), and a resend must never look like a conflict.
  const hash = batchContentHash(decoded.value)
  const screened = screenBatch(decoded.value, judged.verdict, ctx.snapshots)
  const batch = screened.message

  // In order: the next batch after everything stored (or given up below the edge's floor). A
  // batch ahead of a gap is live data that overtook a backlog (evaluated now, the backlog later
  // against a copy of the rule state: cloud/store/sqlite/replay.ts) or replayed backlog that
  // overtook its predecessors (stored now, evaluated when they arrive).
  const inOrder = batch.seq <= ctx.tracker.reach(batch.edge, batch.floor, undefined, batch.outbox) + 1
  let result: IngestResult
  try {
    // The mark this batch will make is stored with it (used to rebuild the marks at startup).
    const ackedThrough = ctx.tracker.reach(batch.edge, batch.floor, batch.seq, batch.outbox)
    // Source times against the cloud's receive time (issue 14).
    const receivedAt = ctx.clock.now()
    const timed = checkBatchTimes(batch, receivedAt, ctx.time ?? defaultCloudTimeConfig, ctx.metrics)
    result = await ctx.store.ingestBatch(timed.batch, {
      site: address.site,
      receivedAt,
      inOrder,
      ackedThrough,
      hash,
      ...timed.meta,
    })
  } catch (err) {
    // Several replicas (issue 16): the edge went to another replica meanwhile; that one stores the resend.
    if (err instanceof ParklinkError && err.code === ErrorCodes.EDGE_NOT_OWNED) {
      ctx.log.info({ edge: batch.edge, seq: batch.seq }, 'batch not stored: another replica owns the edge now')
      return { kind: 'failed', error: err.message }
    }
    ctx.metrics.ingest.failed++
    ctx.log.error({ edge: batch.edge, seq: batch.seq, err }, 'batch not stored; not acked (the edge will resend)')
    return { kind: 'failed', error: errorMessage(err) }
  }

  if (result.conflict) {
    // Not a resend: another client (or a second edge configured with this id) reuses the key. The stored batch stays.
    ctx.log.error(
      {
        edge: batch.edge,
        outbox: batch.outbox,
        seq: batch.seq,
        storedHash: result.conflict.storedHash,
        hash: result.conflict.hash,
      },
      'SEQ CONFLICT: this (edge, outbox, seq) is stored with other content; refused, not acked',
    )
    return reject(
      ctx,
      msg,
      RejectReasons.SEQ_CONFLICT,
      `(edge ${batch.edge}, outbox ${batch.outbox}, seq ${batch.seq}) is stored with other content`,
    )
  }
  const m = ctx.metrics.ingest
  m.lastBatchAt.set(batch.edge, ctx.clock.now())
  if (result.duplicate) {
    m.duplicates++
    ctx.log.debug({ edge: batch.edge, outbox: batch.outbox, seq: batch.seq }, 'duplicate batch acked again')
  } else {
    ctx.ownership.claimed(batch.edge, screened.claims.points, screened.claims.cameras)
    await ctx.refusals.report(batch.edge, screened.refused)
    m.batches++
    m.samples += result.samples
    m.alarmsRaised += result.raised
    m.alarmsRecovered += result.recovered
    for (const g of batch.gaps ?? [])
      ctx.log.warn(
        { edge: batch.edge, gap: { ...g, points: g.points === 'all' ? 'all' : g.points.length } },
        'the edge reports data it dropped before delivery (a gap, kept in /api/v1/gaps)',
      )
    countUnevaluated(ctx.metrics, result)
    if (result.unevaluated)
      ctx.log.warn(
        { edge: batch.edge, seq: batch.seq, ...result.unevaluated },
        "samples stored without rule evaluation (late or clock_skew): traced in the points' history",
      )
  }

  const through = ctx.tracker.record(batch.edge, batch.seq, batch.floor, batch.outbox)
  if (through > batch.seq || (result.deferred && through >= batch.seq)) {
    // The mark passed batches that were waiting: evaluate them now, in seq order.
    try {
      const late = await ctx.store.evaluateThrough(batch.edge, through, ctx.clock.now(), batch.outbox)
      m.alarmsRaised += late.raised
      m.alarmsRecovered += late.recovered
      countUnevaluated(ctx.metrics, late)
      if (late.samples > 0)
        ctx.log.info(
          { edge: batch.edge, through, samples: late.samples },
          'batches that arrived ahead of a gap evaluated in order',
        )
    } catch (err) {
      ctx.log.error(
        { edge: batch.edge, through, err },
        'deferred rule evaluation failed; it is retried with the next batch',
      )
    }
  }
  if (result.duplicate) {
    // A duplicate wrote nothing; its floor may still have moved the mark.
    try {
      await ctx.store.setAckedThrough(batch.edge, through, batch.outbox)
    } catch (err) {
      // The data is stored; the persisted mark only speeds up the rebuild after a restart.
      ctx.log.warn({ edge: batch.edge, through, err }, 'could not persist the ack mark')
    }
  }
  publishAck(ctx, address.site, batch.edge, through, batch.outbox)
  return { kind: result.duplicate ? 'duplicate' : 'stored', through, result }
}

export function publishAck(ctx: IngestContext, site: string, edge: string, through: number, outbox: string): void {
  const stored = ctx.tracker.storedRanges(edge, 64, outbox)
  const ack: Ack = {
    v: WIRE_VERSION,
    edge,
    outbox,
    through,
    ...(stored.length > 0 ? { stored } : {}),
    ts: ctx.clock.now(),
  }
  ctx.publish(topic(site, edge, 'ack'), encode(ack))
  ctx.metrics.ingest.acks++
}
