import path from 'node:path'
import { sql } from 'drizzle-orm'
import { openPlanImageFiles } from '../plan-image-files.ts'
import type { Store } from '../store.ts'
import { openParts, run, type SqliteStoreOptions } from './parts.ts'
import { createReportOps } from './reports.ts'
import { sqliteBundleRepo } from './bundles.ts'
import { sqliteRetentionRepo } from './retention.ts'
import {
  sqliteAlarmRepo,
  sqliteCameraRepo,
  sqliteDeliveryRepo,
  sqliteEdgeRepo,
  sqliteGapRepo,
  sqliteGasWarningRepo,
  sqliteIngestRepo,
  sqliteOutboxRepo,
  sqliteRegistryRepo,
  sqliteTelemetryRepo,
  sqliteWindowRepo,
} from './repos.ts'

export type { SqliteStoreOptions }

/**
 * The embedded store: one better-sqlite3 connection, everything synchronous inside, exposed
 * through the asynchronous Store interface. A throw inside becomes a rejected promise.
 */
export function openSqliteStore(options: SqliteStoreOptions): Store {
  const parts = openParts(options)
  const { db, auth, registry } = parts
  return {
    auth,
    registry,
    reports: createReportOps(db),
    plan: openPlanImageFiles(path.join(path.dirname(path.resolve(options.file)), 'plan')),
    ping: () => run(() => void db.get(sql`select 1`)),
    close: () =>
      run(() => {
        if (db.$client.open) db.$client.close()
      }),
    ...sqliteIngestRepo(parts),
    ...sqliteOutboxRepo(parts),
    ...sqliteEdgeRepo(parts),
    ...sqliteTelemetryRepo(parts),
    ...sqliteAlarmRepo(parts),
    ...sqliteRegistryRepo(parts),
    ...sqliteWindowRepo(parts),
    ...sqliteDeliveryRepo(parts),
    ...sqliteGapRepo(parts),
    ...sqliteCameraRepo(parts),
    ...sqliteGasWarningRepo(parts),
    ...sqliteBundleRepo(parts),
    ...sqliteRetentionRepo(parts),
  }
}
