/**
 * The outboxes' rules, engine-neutral (cloud/store/sqlite/outboxes.ts, cloud/store/postgres/outboxes.ts).
 */

/** Batches stored before outbox ids existed (the migration's default). */
export const LEGACY_OUTBOX = ''

/** Whether a mark row is its edge's current outbox (the tracker's `latest`): the named one, or the legacy one of an edge that never named one. */
export const isCurrentOutbox = (m: { outbox: string; current: string | null }) =>
  m.current === m.outbox || (m.current === null && m.outbox === LEGACY_OUTBOX)

/** The edge's current outbox last: the ack tracker takes the last one it loads as the edge's `latest`. */
export const currentLast = <M extends { outbox: string; current: string | null }>(marks: M[]): M[] =>
  [...marks].sort((a, b) => Number(isCurrentOutbox(a)) - Number(isCurrentOutbox(b)))
