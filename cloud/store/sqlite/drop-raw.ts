import type { Db } from './db.ts'

/**
 * The raw samples older than `cutoffMs` removed (the retention job, cloud/store/sqlite/retention.ts),
 * whole historian units only (issue 15: "never row by row"): every sealed chunk whose newest sample
 * is older than the cutoff, and every block not compacted yet that holds only such samples (a late
 * backlog). A chunk or block reaching the cutoff stays whole. Returns how many samples went.
 */
export function dropRawBefore(db: Db, cutoffMs: number): number {
  const sqlite = db.$client
  const gone = (table: string, newest: string) => {
    const n = sqlite.prepare(`SELECT COALESCE(SUM(count), 0) AS n FROM ${table} WHERE ${newest} < ?`).get(cutoffMs) as {
      n: number
    }
    sqlite.prepare(`DELETE FROM ${table} WHERE ${newest} < ?`).run(cutoffMs)
    return n.n
  }
  return sqlite.transaction(() => gone('sample_chunks', 'to_ts') + gone('sample_blocks', 'max_ts'))()
}
