import { fileURLToPath } from 'node:url'
import { drizzle, type PostgresJsDatabase } from 'drizzle-orm/postgres-js'
import { migrate } from 'drizzle-orm/postgres-js/migrator'
import postgres from 'postgres'
import { type Clock, systemClock } from '../../../shared/clock.ts'
import { ErrorCodes, ParklinkError, errorMessage } from '../../../shared/errors.ts'
import { ensurePartitions } from './partitions.ts'
import * as schema from './schema.ts'

export const PG_MIGRATIONS_DIR = fileURLToPath(new URL('./migrations', import.meta.url))

export type PgDb = PostgresJsDatabase<typeof schema> & { $client: postgres.Sql }

export interface PgConnection {
  url: string
  /** The password, read by the caller from the environment variable the config names (never from the config). */
  password?: string
  /** Pool size (default 10). */
  max?: number
  /** Seconds to wait for a connection before giving up (default 10). */
  connectTimeout?: number
  /** The time the partitions made at open are for (partitions.ts; default the system clock). */
  clock?: Clock
}

/**
 * Opens a pool to the cloud's PostgreSQL database and brings its schema up to date with the
 * committed migrations (cloud/store/postgres/migrations), then makes sure the time-partitioned
 * tables have this and the next period's partitions (partitions.ts). Epoch milliseconds are `bigint`
 * columns, read back as numbers (drizzle's `mode: 'number'`; every time here is below 2^53).
 * The database unreachable or refusing us is one ParklinkError (STORE_FAILED) saying what to
 * check: the caller exits non-zero, and under systemd the unit restarts it.
 */
export async function openPostgres(conn: PgConnection): Promise<PgDb> {
  const client = postgres(conn.url, {
    ...(conn.password === undefined ? {} : { password: conn.password }),
    max: conn.max ?? 10,
    connect_timeout: conn.connectTimeout ?? 10,
    onnotice: () => {},
    connection: { application_name: 'parklink-cloud' },
  })
  const where = redact(conn.url)
  try {
    await client`select 1`
  } catch (err) {
    await client.end({ timeout: 1 })
    throw new ParklinkError(
      ErrorCodes.STORE_FAILED,
      `cannot reach the cloud database at ${where}: ${errorMessage(err)}`,
      {
        hint: 'check store.url, that PostgreSQL is running and accepts this host, and the password in the variable store.passwordEnv names',
        cause: err,
      },
    )
  }
  const db = drizzle({ client, schema })
  try {
    await migrate(db, { migrationsFolder: PG_MIGRATIONS_DIR })
    await ensurePartitions(client, (conn.clock ?? systemClock).now())
  } catch (err) {
    await client.end({ timeout: 1 })
    throw new ParklinkError(
      ErrorCodes.STORE_FAILED,
      `cannot prepare the cloud database at ${where}: ${errorMessage(err)}`,
      {
        hint: 'the database user needs CREATE rights on its schema; a database from a newer parklink version cannot be used',
        cause: err,
      },
    )
  }
  return db
}

/** The URL without any password in it, for messages and logs. */
export function redact(url: string): string {
  try {
    const u = new URL(url)
    if (u.password) u.password = '***'
    return u.toString()
  } catch {
    return '(an unparseable URL)'
  }
}
