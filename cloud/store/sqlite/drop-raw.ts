import type { Db } from './db.ts'

/**
 * The raw samples older than `cutoffMs` removed (the retention job, cloud/store/sqlite/retention.ts),
 * whole historian units only (issue 15: "never row by row"): every sealed chunk whose newest sample
 * is older than the cutoff, and every block not compacted yet that holds only such samples, when
 * they also arrived before the cutoff. A chunk or block reaching the cutoff stays whole. Returns how many samples went.
 */
export function dropRawBefore(db: Db, cutoffMs: number): number {
  const sqlite = db.$client
  // Older than the cutoff by their time AND by their arrival: samples that arrive stamped long ago
  // (an edge whose clock was reset a year back, stored as clock_skew) are kept a full period too.
  const gone = (table: string, newest: string) => {
    const where = `${newest} < @cutoff AND coalesce(received_at, 0) < @cutoff`
    const n = sqlite.prepare(`SELECT COALESCE(SUM(count), 0) AS n FROM ${table} WHERE ${where}`).get({
      cutoff: cutoffMs,
    }) as { n: number }
    sqlite.prepare(`DELETE FROM ${table} WHERE ${where}`).run({ cutoff: cutoffMs })
    return n.n
  }
  return sqlite.transaction(() => gone('sample_chunks', 'to_ts') + gone('sample_blocks', 'max_ts'))()
}
