import type { Logger } from 'pino'
import type { IngestResult } from './repos/ingest.ts'
import type { OutboxReplacedGap } from './repos/gaps.ts'

/** The counts of a batch before anything is stored (both engines' ingest start from it). */
export const emptyIngestResult = (): IngestResult => ({
  duplicate: false,
  samples: 0,
  raised: 0,
  recovered: 0,
  stale: 0,
  suppressed: 0,
  edgeAlarms: { matched: 0, unmatched: 0 },
})

/** What an engine's outbox step learnt from a batch's outbox id (sqlite/outboxes.ts, postgres/outboxes.ts). */
export type SeenOutbox =
  | { kind: 'current' }
  | { kind: 'first'; adopted: number }
  | { kind: 'replaced'; replacement: OutboxReplacedGap }
  | { kind: 'earlier'; previous: string }

/** The log lines an outbox change is worth (the same words on both engines). */
export function logOutboxSeen(log: Logger, ids: { edge: string; outbox: string }, seen: SeenOutbox): void {
  if (seen.kind === 'replaced') {
    const r = seen.replacement
    log.warn(
      { ...ids, oldOutbox: r.oldOutbox, lastSeq: r.lastSeq, lastTs: r.lastTs },
      'OUTBOX REPLACED: the edge came with a new outbox; what the old one held unsent is lost (a gap of unknown size, in /api/v1/gaps)',
    )
  } else if (seen.kind === 'earlier')
    log.warn(
      { ...ids, current: seen.previous },
      'batch of an earlier outbox of this edge (a restored backlog, or a second client as this edge?): stored under its own outbox id',
    )
  else if (seen.kind === 'first' && seen.adopted > 0)
    log.info(
      { ...ids, adopted: seen.adopted },
      'the edge named its outbox for the first time: batches stored before outbox ids are counted as its',
    )
}

/** After the commit: the edge alarms nothing matched are worth a warning. */
export function warnUnmatched(log: Logger, edge: string, result: IngestResult): void {
  if (result.edgeAlarms.unmatched > 0)
    log.warn(
      { edge, unmatched: result.edgeAlarms.unmatched },
      'the edge raised or recovered alarms the cloud did not: are its local limits equal to the registry?',
    )
}

/** Approved maintenance windows, grouped by the points they cover (what the rules need while ingesting). */
export type WindowsByPoint = Map<string, Array<{ id: number; from: number; to: number }>>

export function windowsByPointOf(
  rows: ReadonlyArray<{ id: number; points: readonly string[]; from: number; to: number }>,
): WindowsByPoint {
  const byPoint: WindowsByPoint = new Map()
  for (const w of rows)
    for (const p of w.points) byPoint.set(p, [...(byPoint.get(p) ?? []), { id: w.id, from: w.from, to: w.to }])
  return byPoint
}
