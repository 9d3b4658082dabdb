import { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import Database from 'better-sqlite3'
import postgres from 'postgres'
import type { z } from 'zod'
import { ensurePartitions } from '../../cloud/store/postgres/partitions.ts'
import { sqliteFileOf } from '../../cloud/store/open-store.ts'
import type { StoreConfig } from '../../cloud/store/store-config.ts'
import { freshDatabase, startTemplateCluster } from '../util/pg-databases.ts'
import type { TestPostgres } from '../util/postgres.ts'

/**
 * The cloud's store engine a bench row runs on (issue 15: every row for both engines): the
 * `store` section of a cloud config for a fresh, empty store, and a bulk writer for the synthetic
 * sets that no ingest path makes (rollup rows of 3 years). The row's name says the engine.
 */
export interface BenchEngine {
  name: 'SQLite' | 'PostgreSQL'
  /** A new empty store: SQLite in the config's dataDir, PostgreSQL a new database of the cluster. */
  freshStore(): Promise<BenchStore>
}

export interface BenchStore {
  /** The cloud config's `store` key. */
  config: z.input<typeof StoreConfig>
  /** Rows straight into a table of the store at `dataDir` (the schema's column names). */
  bulk(dataDir: string): Promise<BulkWriter>
  drop(): Promise<void>
}

export interface BulkWriter {
  insert(table: string, columns: readonly string[], rows: ReadonlyArray<readonly unknown[]>): Promise<void>
  /** After the writes: statistics (and on PostgreSQL the partitions the rows' periods need), as a running cloud has. */
  settle(now: number): Promise<void>
  close(): Promise<void>
}

export const sqliteEngine: BenchEngine = {
  name: 'SQLite',
  async freshStore() {
    return { config: { engine: 'sqlite' }, bulk: sqliteBulk, drop: async () => {} }
  },
}

async function sqliteBulk(dataDir: string): Promise<BulkWriter> {
  const db = new Database(sqliteFileOf(dataDir))
  return {
    async insert(table, columns, rows) {
      const st = db.prepare(
        `INSERT INTO ${table} (${columns.join(', ')}) VALUES (${columns.map(() => '?').join(', ')})`,
      )
      db.transaction(() => {
        for (const row of rows) st.run(...row)
      })()
    },
    async settle() {},
    async close() {
      db.close()
    },
  }
}

/** PostgreSQL rows on one throwaway cluster (test/util/postgres.ts), a database per store. */
export interface PostgresBenchEngine extends BenchEngine {
  stop(): Promise<void>
}

export async function startPostgresEngine(): Promise<PostgresBenchEngine> {
  const server: TestPostgres = await startTemplateCluster()
  return {
    name: 'PostgreSQL',
    async freshStore() {
      const database = await freshDatabase(server.url)
      return {
        config: { engine: 'postgres', url: database.url },
        bulk: () => postgresBulk(database.url),
        drop: () => database.drop(),
      }
    },
    stop: () => server.stop(),
  }
}

async function postgresBulk(url: string): Promise<BulkWriter> {
  const sql = postgres(url, { max: 1, onnotice: () => {} })
  const text = (v: unknown) => (v === null || v === undefined ? '\\N' : String(v))
  return {
    async insert(table, columns, rows) {
      const copy = await sql.unsafe(`copy ${table} (${columns.join(', ')}) from stdin`).writable()
      await pipeline(Readable.from(rows.map((row) => `${row.map(text).join('\t')}\n`)), copy)
    },
    async settle(now) {
      // Rows of periods without a partition went to DEFAULT: moved into theirs, as the cloud's maintainer does.
      await ensurePartitions(sql, now)
      await sql`analyze`
    },
    async close() {
      await sql.end({ timeout: 5 })
    },
  }
}
