import type { ChunkSample } from './codec.ts'

/**
 * Where a page of raw history ended: the last sample's time, and `row`, its ordinal among the
 * point's samples of that same time in the historian's order (0 for the first to arrive). The
 * order never changes once samples are stored (a compaction keeps it), so a cursor stays valid
 * across one: samples sharing a timestamp are neither skipped nor repeated between pages.
 */
export interface PageCursor {
  ts: number
  row: number
}

/**
 * One page of `samples` (a point's samples in the historian's order: by time, ties in arrival
 * order) after the cursor: at most `limit`, and the cursor of its last one when more follow.
 * Every sample of a time at or after the cursor's must be in `samples`.
 */
export function pageAfter<S extends ChunkSample>(
  samples: readonly S[],
  after: PageCursor | undefined,
  limit: number,
): { samples: S[]; next: PageCursor | null } {
  const kept: S[] = []
  let ts = Number.NaN
  let row = -1
  let end: PageCursor | null = null
  for (const s of samples) {
    row = s.ts === ts ? row + 1 : 0
    ts = s.ts
    if (after && (s.ts < after.ts || (s.ts === after.ts && row <= after.row))) continue
    if (kept.length === limit) return { samples: kept, next: end }
    kept.push(s)
    end = { ts, row }
  }
  return { samples: kept, next: null }
}

/**
 * What a page needs read (both engines): samples of [from, to] from the cursor's time on, and
 * enough of them past the cursor for a page and one more (which decides whether more follow).
 */
export function pageWindow(range: { from: number; to: number; limit: number; after?: PageCursor }) {
  const after = range.after
  const from = after ? Math.max(range.from, after.ts) : range.from
  return { from, to: range.to, enough: { ts: after?.ts ?? from - 1, count: range.limit + 1 } }
}
