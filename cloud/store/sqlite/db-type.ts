import type Database from 'better-sqlite3'
import type { BetterSQLite3Database } from 'drizzle-orm/better-sqlite3'
import type * as schema from './schema.ts'

/** The drizzle handle over one better-sqlite3 connection (its own module so db.ts's helpers can name it without a cycle). */
export type Db = BetterSQLite3Database<typeof schema> & { $client: Database.Database }
