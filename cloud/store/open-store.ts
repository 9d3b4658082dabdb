import path from 'node:path'
import type { Logger } from 'pino'
import { ErrorCodes, ParklinkError } from '../../shared/errors.ts'
import type { PointEvaluator } from '../../shared/rules/evaluate.ts'
import type { OnCorrupt } from './historian/corrupt.ts'
import { redact } from './postgres/db.ts'
import type { BatchFence } from './postgres/ingest.ts'
import { openSqliteStore } from './sqlite/store.ts'
import { type StoreConfig, storePassword } from './store-config.ts'
import type { AlarmChange, PushPlanner, Store } from './store.ts'

/** What every engine is opened with (cloud/service.ts, the CLI's commands, tests). */
export interface OpenStoreOptions {
  evaluate: PointEvaluator
  log: Logger
  onAlarmChange?: (change: AlarmChange) => void
  planPushes?: PushPlanner
  onCorrupt?: OnCorrupt
  /** Where store.passwordEnv is looked up (default process.env). */
  env?: NodeJS.ProcessEnv
  /** PostgreSQL with several replicas (issue 16, cloud/cluster/): who may write an edge's batches. */
  fence?: BatchFence
}

/** The SQLite file of a dataDir: the embedded engine's whole database (snapshots and the plan image sit beside it). */
export const sqliteFileOf = (dataDir: string) => path.join(path.resolve(dataDir), 'cloud.db')

/**
 * The one place the cloud chooses its engine (issue 15, config `store.engine`): SQLite in
 * `{dataDir}/cloud.db`, or PostgreSQL at `store.url`. Either way the schema is brought up to date
 * with the committed migrations on open, and a database that cannot be opened is one
 * ParklinkError (STORE_FAILED, exit 1: systemd restarts the service) saying what to check.
 */
export async function openStore(
  config: { store: StoreConfig; dataDir: string },
  options: OpenStoreOptions,
): Promise<Store> {
  const { env, fence, ...deps } = options
  if (config.store.engine === 'postgres') {
    const { openPostgresStore } = await import('./postgres/store.ts')
    return openPostgresStore({
      ...deps,
      ...(fence ? { fence } : {}),
      connection: {
        url: config.store.url as string,
        password: storePassword(config.store, env),
        max: config.store.poolSize,
      },
      // Snapshots and the plan image: a directory every replica shares (store.filesDir), else dataDir.
      dataDir: path.resolve(config.dataDir, config.store.filesDir ?? '.'),
    })
  }
  try {
    return openSqliteStore({ ...deps, file: sqliteFileOf(config.dataDir) })
  } catch (err) {
    throw storeErrorOf(err, config)
  }
}

/** Where the store is, for logs: the SQLite file, or the PostgreSQL URL without any password. */
export function describeStore(config: { store: StoreConfig; dataDir: string }): string {
  return config.store.engine === 'postgres' ? redact(config.store.url as string) : sqliteFileOf(config.dataDir)
}

/** SQLITE_BUSY at startup: another process holds the database's write lock. Said so, with what to do; other errors as they are. */
export function storeErrorOf(err: unknown, config: { store: StoreConfig; dataDir: string }): unknown {
  if ((err as { code?: unknown } | null)?.code !== 'SQLITE_BUSY') return err
  const file = sqliteFileOf(config.dataDir)
  return new ParklinkError(
    ErrorCodes.STORE_FAILED,
    `the cloud database ${file} is locked by another process (still after 5 s)`,
    {
      hint: 'is another parklink cloud (or a backup, or a sqlite3 shell) using this dataDir? Stop it; under systemd the service retries by itself',
      cause: err,
    },
  )
}
