import { sql } from 'drizzle-orm'
import { openPostgres } from './postgres/db.ts'
import { describeStore, sqliteFileOf } from './open-store.ts'
import { openDatabase } from './sqlite/db.ts'
import { type StoreConfig, storePassword } from './store-config.ts'

export interface MigrateOutcome {
  engine: StoreConfig['engine']
  /** The SQLite file, or the PostgreSQL URL without its password. */
  where: string
  /** Migrations the schema has now (drizzle's journal of applied migrations). */
  applied: number
}

/**
 * `parklink cloud migrate` (issue 15): brings the configured database's schema up to date with
 * this version's committed migrations and stops, as every start does first; for an operator who
 * wants the upgrade done (and its failure seen) before the service starts, or a database user
 * with DDL rights only for this step. Opens nothing else: no registry, no jobs.
 */
export async function migrateStore(
  config: { store: StoreConfig; dataDir: string },
  env: NodeJS.ProcessEnv = process.env,
): Promise<MigrateOutcome> {
  const where = describeStore(config)
  if (config.store.engine === 'postgres') {
    const db = await openPostgres({
      url: config.store.url as string,
      password: storePassword(config.store, env),
      max: 1,
    })
    try {
      const rows = await db.execute<{ n: string }>(sql`select count(*) as n from drizzle.__drizzle_migrations`)
      return { engine: 'postgres', where, applied: Number(rows[0]?.n ?? 0) }
    } finally {
      await db.$client.end({ timeout: 5 })
    }
  }
  const db = openDatabase(sqliteFileOf(config.dataDir))
  try {
    const row = db.$client.prepare('select count(*) as n from __drizzle_migrations').get() as { n: number }
    return { engine: 'sqlite', where, applied: row.n }
  } finally {
    db.$client.close()
  }
}
