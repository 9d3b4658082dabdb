import Database from 'better-sqlite3'
import path from 'node:path'
import postgres from 'postgres'
import type { StoreConfig } from '../../cloud/store/store-config.ts'

/**
 * The database behind a test's store, on either engine, for what the Store rightly does not
 * offer: reading a table as stored (is a secret kept hashed?) or a write the database itself
 * must refuse (the append-only audit log). Table names are the same on both engines
 * (cloud/store/postgres/schema.ts mirrors SQLite's); SQL beyond plain statements is not.
 */
export interface RawDb {
  /** Runs one statement; the rows it returns (none for a write). */
  query(sql: string): Promise<Array<Record<string, unknown>>>
  close(): Promise<void>
}

/** Opens the database of a store opened with `config` (on SQLite, the file in `dir`). */
export function openRawDb(config: StoreConfig, dir: string): RawDb {
  if (config.engine === 'postgres') {
    const sql = postgres(config.url!, { max: 1, onnotice: () => {} })
    return {
      query: async (text) => [...(await sql.unsafe(text))],
      close: () => sql.end({ timeout: 5 }),
    }
  }
  const db = new Database(path.join(dir, 'cloud.db'))
  return {
    async query(text) {
      const statement = db.prepare(text)
      if (statement.reader) return statement.all() as Array<Record<string, unknown>>
      statement.run()
      return []
    },
    close: async () => void db.close(),
  }
}

/** Runs `use` on the raw database of a test's store, closing it after. */
export async function withRawDb<T>(
  t: { config: StoreConfig; dir: string },
  use: (db: RawDb) => Promise<T>,
): Promise<T> {
  const db = openRawDb(t.config, t.dir)
  try {
    return await use(db)
  } finally {
    await db.close()
  }
}
