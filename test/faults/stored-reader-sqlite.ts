import Database from 'better-sqlite3'
import { blockSamplesBySeq, chunkSamples } from '../util/stored-samples.ts'
import type { StoredBatch, StoredBatchesReader, StoredGap, StoredReplacement } from './stored-reader.ts'

/**
 * The stored batches reader on the cloud's SQLite file. Each read opens the file read-only and
 * closes it again: the campaign holds no connection between reads, so it never keeps a WAL
 * snapshot open under a running cloud nor stands in the way of the 'database locked' fault.
 */
export function sqliteStoredReader(file: string): StoredBatchesReader {
  const read = <T>(fn: (db: Database.Database) => T): Promise<T> => {
    const db = new Database(file, { readonly: true, fileMustExist: true })
    try {
      return Promise.resolve(fn(db))
    } finally {
      db.close()
    }
  }
  return {
    batches: (edge) =>
      read((db) => db.prepare('SELECT outbox, seq, hash FROM batches WHERE edge = ?').all(edge) as StoredBatch[]),
    blockSamplesBySeq: (edge) => read((db) => blockSamplesBySeq(db, edge)),
    chunkSamples: (point, from, to) => read((db) => chunkSamples(db, point, from, to)),
    gaps: (edge) =>
      read(
        (db) =>
          db
            .prepare(
              'SELECT from_seq AS fromSeq, through_seq AS throughSeq, reason, samples, from_ts AS fromTs, received_at AS receivedAt FROM gaps WHERE edge = ?',
            )
            .all(edge) as StoredGap[],
      ),
    outboxReplacements: (edge) =>
      read(
        (db) =>
          db
            .prepare('SELECT old_outbox AS oldOutbox, seen_at AS seenAt FROM outbox_replacements WHERE edge = ?')
            .all(edge) as StoredReplacement[],
      ),
    alarmActive: (point, kind) =>
      read(
        (db) =>
          (
            db
              .prepare("SELECT COUNT(*) AS n FROM alarms WHERE point = ? AND kind = ? AND state = 'active'")
              .get(point, kind) as { n: number }
          ).n > 0,
      ),
    edgePoints: (edge) =>
      read((db) =>
        (db.prepare('SELECT id FROM points WHERE edge = ?').all(edge) as Array<{ id: string }>).map((p) => p.id),
      ),
    close: async () => {},
  }
}
