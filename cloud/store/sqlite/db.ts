import * as fs from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import Database from 'better-sqlite3'
import { drizzle } from 'drizzle-orm/better-sqlite3'
import { migrate } from 'drizzle-orm/better-sqlite3/migrator'
import { ErrorCodes, ParklinkError, errorMessage } from '../../../shared/errors.ts'
import { ensurePrivateDatabase, ensurePrivateDir } from '../../../shared/private-files.ts'
import * as schema from './schema.ts'
import { backfillAuditChain } from './audit-chain.ts'
import { moveLegacySamples } from './legacy-samples.ts'

export type { Db } from './db-type.ts'
import type { Db } from './db-type.ts'

export const MIGRATIONS_DIR = fileURLToPath(new URL('./migrations', import.meta.url))

/**
 * Opens (creating if needed) the cloud database and brings its schema up to date with the
 * committed migrations.
 *
 * - WAL: API readers never block ingest and ingest never blocks readers.
 * - synchronous=FULL: a transaction is on disk before commit returns, so an ack (after which the
 *   edge deletes the batch) is never sent for data a power cut could still take away.
 * - busy_timeout: a maintenance tool holding the write lock briefly delays us rather than failing.
 */
export function openDatabase(file: string): Db {
  let sqlite: Database.Database
  try {
    // dataDir 0700, cloud.db (and its -wal, -shm) 0600 whatever the umask (brief §7).
    if (file !== ':memory:') ensurePrivateDir(fs, path.dirname(file))
    ensurePrivateDatabase(fs, file)
    sqlite = new Database(file)
  } catch (err) {
    throw new ParklinkError(ErrorCodes.STORE_FAILED, `cannot open the cloud database ${file}: ${errorMessage(err)}`, {
      hint: 'check that dataDir exists or can be created and is writable by the service user',
      cause: err,
    })
  }
  try {
    sqlite.pragma('journal_mode = WAL')
    sqlite.pragma('synchronous = FULL')
    sqlite.pragma('busy_timeout = 5000')
    sqlite.pragma('foreign_keys = ON')
    const db = drizzle({ client: sqlite, schema })
    migrate(db, { migrationsFolder: MIGRATIONS_DIR })
    backfillAuditChain(sqlite) // rows older than migration 0019 get their SM3 chain hash, once
    moveLegacySamples(sqlite) // rows of the row-per-sample layout become historian blocks, once (issue 15)
    return db
  } catch (err) {
    sqlite.close()
    throw new ParklinkError(
      ErrorCodes.STORE_FAILED,
      `cannot prepare the cloud database ${file}: ${errorMessage(err)}`,
      {
        hint: 'the file may be damaged or from a newer parklink version; restore it from backup or move it aside',
        cause: err,
      },
    )
  }
}
