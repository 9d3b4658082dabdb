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
