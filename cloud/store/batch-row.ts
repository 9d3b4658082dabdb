import type { DataBatch } from '../../shared/wire/messages.ts'

/**
 * A batch's row in `batches` (the same columns on both engines): keyed (edge, outbox, seq) with
 * its content hash; a batch left for evaluateThrough keeps its samples and edge alarms until then.
 */
export function batchRowOf(
  batch: DataBatch,
  meta: { hash: string; receivedAt: number },
  mode: { deferred: boolean; historical: boolean },
  maxTs: number | null,
) {
  return {
    edge: batch.edge,
    outbox: batch.outbox,
    seq: batch.seq,
    session: batch.session,
    hash: meta.hash,
    maxTs,
    floor: batch.floor,
    receivedAt: meta.receivedAt,
    sampleCount: batch.samples.length,
    evaluated: !mode.deferred,
    alarms: mode.deferred ? (batch.alarms ?? null) : null,
    pendingSamples: mode.deferred ? batch.samples : null,
    historical: mode.historical,
  }
}
