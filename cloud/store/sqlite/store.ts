import { sql } from 'drizzle-orm'
import type { Logger } from 'pino'
import type { PointEvaluator } from '../../alarms/evaluate.ts'
import type { Store } from '../store.ts'
import { openDatabase } from './db.ts'
import { createBatchIngest } from './ingest.ts'
import { createQueries } from './queries.ts'
import { applyRegistry } from './registry.ts'
import { createStatusOps } from './status.ts'

export interface SqliteStoreOptions {
  /** The database file; created with its folder if missing. */
  file: string
  /** Over-limit evaluation run inside each batch transaction (cloud/alarms). */
  evaluate: PointEvaluator
  log: Logger
}

/**
 * The embedded store: one better-sqlite3 connection, everything synchronous inside, exposed
 * through the asynchronous Store interface. A throw inside becomes a rejected promise.
 */
export function openSqliteStore(options: SqliteStoreOptions): Store {
  const db = openDatabase(options.file)
  const ingest = createBatchIngest(db, options.evaluate, options.log)
  const status = createStatusOps(db)
  const queries = createQueries(db)
  const run = async <T>(fn: () => T): Promise<T> => fn()

  return {
    ingestBatch: (batch, meta) => run(() => ingest(batch, meta)),
    setAckedThrough: (edge, through) => run(() => status.setAckedThrough(edge, through)),
    loadAckStates: () => run(() => status.loadAckStates()),
    recordBirth: (site, birth, seenAt) => run(() => status.recordBirth(site, birth, seenAt)),
    recordState: (site, state, seenAt) => run(() => status.recordState(site, state, seenAt)),
    recordDeath: (death, seenAt) => run(() => status.recordDeath(death, seenAt)),
    applyRegistry: (registry) => run(() => applyRegistry(db, registry)),
    listEdges: () => run(() => queries.listEdges()),
    listPoints: (filter) => run(() => queries.listPoints(filter)),
    getPoint: (id) => run(() => queries.getPoint(id)),
    history: (point, range) => run(() => queries.history(point, range)),
    listAlarms: (filter) => run(() => queries.listAlarms(filter)),
    ping: () => run(() => void db.get(sql`select 1`)),
    close: () =>
      run(() => {
        if (db.$client.open) db.$client.close()
      }),
  }
}
