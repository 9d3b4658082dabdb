import postgres from 'postgres'
import { openPostgres } from '../../cloud/store/postgres/db.ts'
import { startPostgres, type TestPostgres } from './postgres.ts'

/**
 * Throwaway PostgreSQL databases for tests, each a copy of one template migrated once: a
 * CREATE DATABASE … TEMPLATE takes tens of milliseconds where migrating takes seconds, so every
 * test gets a database of its own and tests stay independent.
 */
export const TEMPLATE = 'parklink_template'

/** A cluster with the template database created and migrated (cloud/store/postgres/migrations). */
export async function startTemplateCluster(): Promise<TestPostgres> {
  const server = await startPostgres({ database: TEMPLATE })
  try {
    const migrated = await openPostgres({ url: server.url, max: 1 })
    await migrated.$client.end({ timeout: 5 })
  } catch (err) {
    await server.stop()
    throw err
  }
  return server
}

export interface TestDatabase {
  url: string
  /** Drops it, closing whatever connections are left. */
  drop(): Promise<void>
}

let n = 0

/** A fresh database copied from the template of the cluster at `templateUrl`. */
export async function freshDatabase(templateUrl: string): Promise<TestDatabase> {
  const name = `t_${process.pid}_${Date.now().toString(36)}_${++n}`
  const admin = postgres(templateUrl.replace(`/${TEMPLATE}`, '/postgres'), { max: 1, onnotice: () => {} })
  try {
    await admin.unsafe(`create database "${name}" template "${TEMPLATE}"`)
  } finally {
    await admin.end({ timeout: 5 })
  }
  return {
    url: templateUrl.replace(`/${TEMPLATE}`, `/${name}`),
    drop: async () => {
      const sql = postgres(templateUrl.replace(`/${TEMPLATE}`, '/postgres'), { max: 1, onnotice: () => {} })
      try {
        await sql.unsafe(`drop database if exists "${name}" with (force)`)
      } finally {
        await sql.end({ timeout: 5 })
      }
    },
  }
}
