import { inject } from 'vitest'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { openStore, type OpenStoreOptions } from '../../cloud/store/open-store.ts'
import { StoreConfig } from '../../cloud/store/store-config.ts'
import type { Store } from '../../cloud/store/store.ts'
import { freshDatabase } from './pg-databases.ts'

/** The engine this test run stores on: PARKLINK_TEST_STORE=postgres (test/setup/store-engine.ts), else SQLite. */
export const testEngine = (): StoreConfig['engine'] => (inject('parklinkPgTemplate') ? 'postgres' : 'sqlite')
export const onPostgres = (): boolean => testEngine() === 'postgres'

export interface TestStoreConfig {
  /** The cloud config's `store` for this run's engine, on a database of its own. */
  store: StoreConfig
  /** Drops the PostgreSQL database (nothing on SQLite: the file is in the caller's dataDir). */
  drop(): Promise<void>
}

/** A `store` section for a cloud config in a test: SQLite in dataDir, or a fresh PostgreSQL database. */
export async function testStoreConfig(): Promise<TestStoreConfig> {
  const template = inject('parklinkPgTemplate')
  if (!template) return { store: StoreConfig.parse({}), drop: async () => {} }
  const db = await freshDatabase(template)
  return { store: StoreConfig.parse({ engine: 'postgres', url: db.url, poolSize: 4 }), drop: db.drop }
}

export interface TestStore {
  store: Store
  /** Its files: the SQLite database (cloud.db), snapshots, the plan image. */
  dir: string
  /** The cloud config's `store` it was opened with (another process may open the same database with it). */
  config: StoreConfig
  /** Closes the store, then removes its database and files. */
  dispose(): Promise<void>
  /** Removes the database and files only (the caller closed the store, or reopened and closed another on them). */
  remove(): Promise<void>
}

/** A store of this run's engine with its files in a temp dir. */
export async function openTestStore(options: Omit<OpenStoreOptions, 'env'>): Promise<TestStore> {
  const dir = mkdtempSync(path.join(tmpdir(), 'parklink-store-'))
  const config = await testStoreConfig()
  const remove = async () => {
    await config.drop()
    rmSync(dir, { recursive: true, force: true })
  }
  try {
    const store = await openStore({ store: config.store, dataDir: dir }, options)
    return {
      store,
      dir,
      config: config.store,
      remove,
      dispose: async () => {
        await store.close()
        await remove()
      },
    }
  } catch (err) {
    await remove()
    throw err
  }
}

// One database per cloud dataDir, so a test that stops a cloud and starts it again on the same dataDir finds its data.
const databasesByDataDir = new Map<string, Promise<TestStoreConfig>>()

/**
 * The cloud config with this run's engine: unchanged on SQLite; on PostgreSQL `store` points at a
 * database of the config's dataDir's own (the same one for every start on that dataDir; the
 * run's cluster goes away with the run, test/setup/store-engine.ts).
 */
export async function withTestEngine<C extends { store: StoreConfig; dataDir: string }>(config: C): Promise<C> {
  if (!onPostgres()) return config
  const key = path.resolve(config.dataDir)
  let chosen = databasesByDataDir.get(key)
  if (!chosen) {
    chosen = testStoreConfig()
    databasesByDataDir.set(key, chosen)
  }
  const { store } = await chosen
  return { ...config, store: { ...store, retention: config.store.retention } }
}
