import type { Logger } from 'pino'
import type { DataBatch } from '../../shared/wire/messages.ts'
import type { PendingSnapshot, SnapshotFiles } from './snapshot-files.ts'

/**
 * A batch's pictures, before its transaction: inline snapshots are checked and written; parts
 * of split ones are kept, and a split snapshot is joined once all its parts are there
 * (cloud/store/snapshot-files.ts). Returns the batch to ingest (parts removed; a refused or
 * still incomplete snapshot replaced by its reason, so it is reported, never linked half) and
 * the split snapshots whose event came earlier and which this batch completed: the caller
 * links those after the batch is stored.
 */
export function takeSnapshots(
  files: SnapshotFiles,
  batch: DataBatch,
  log: Logger,
): { batch: DataBatch; completed: PendingSnapshot[] } {
  const completed: PendingSnapshot[] = []
  for (const e of batch.events ?? []) {
    if (e.type === 'part') {
      files.writePart(e)
      const waiting = files.pending(e.snapshot)
      if (!waiting) continue
      const joined = files.assemble(waiting.snapshot)
      if (joined.state === 'complete') completed.push(waiting)
      else if (joined.state === 'refused')
        log.warn({ edge: batch.edge, camera: e.camera, reason: joined.reason }, 'snapshot refused')
      continue
    }
    if (e.type === 'status' || !e.snapshot) continue
    const { data, ...meta } = e.snapshot
    const joined = meta.parts === undefined ? (files.write(e.snapshot) ?? 'complete') : files.assemble(meta)
    const outcome =
      typeof joined === 'string'
        ? joined === 'complete'
          ? { state: 'complete' as const }
          : { state: 'refused' as const, reason: joined }
        : joined
    if (outcome.state === 'complete') continue
    if (outcome.state === 'incomplete') {
      files.setPending({ snapshot: meta, camera: e.camera, event: e.id })
      log.warn(
        { edge: batch.edge, camera: e.camera, snapshot: meta.id, parts: meta.parts, missing: outcome.missing },
        'snapshot incomplete: linked once its missing parts arrive',
      )
      e.snapshotError = `snapshot ${meta.id} incomplete: ${outcome.missing} of ${meta.parts} parts not received yet`
    } else {
      log.warn({ edge: batch.edge, camera: e.camera, reason: outcome.reason }, 'snapshot refused')
      e.snapshotError = outcome.reason.slice(0, 256)
    }
    void data
    delete e.snapshot
  }
  const events = batch.events?.filter((e) => e.type !== 'part')
  return { batch: { ...batch, ...(events ? { events } : {}) }, completed }
}
