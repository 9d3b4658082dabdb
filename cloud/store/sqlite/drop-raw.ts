import type { Db } from './db.ts'

/**
 * The raw samples older than `cutoffMs` removed (the retention job, cloud/store/sqlite/retention.ts);
 * returns how many. Deliberately tiny: the historian chunks (issue 15) replace the samples table,
 * and this is the one function to port (drop whole chunks ending before the cutoff).
 */
export function dropRawBefore(db: Db, cutoffMs: number): number {
  return db.$client.prepare('DELETE FROM samples WHERE ts < ?').run(cutoffMs).changes
}
