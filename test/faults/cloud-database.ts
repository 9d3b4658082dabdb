import path from 'node:path'
import { startPostgres, type TestPostgres } from '../util/postgres.ts'
import type { StoredBatchesReader } from './stored-reader.ts'
import { postgresStoredReader } from './stored-reader-postgres.ts'
import { sqliteStoredReader } from './stored-reader-sqlite.ts'

/** The cloud's store engines the campaign runs on (`--store`); SQLite, the embedded default, unless told. */
export const STORE_ENGINES = ['sqlite', 'postgres'] as const
export type StoreEngine = (typeof STORE_ENGINES)[number]

/**
 * The campaign's cloud database, by engine: the SQLite file in the cloud's data directory (the
 * 'database locked' fault opens it), or a throwaway PostgreSQL cluster (test/util/postgres.ts:
 * trust authentication on 127.0.0.1, so the cloud needs no password) that the 'restart the
 * database' fault stops and starts. Either way the campaign judges what the cloud stored through
 * `reader`.
 */
export type CloudDatabase =
  | { engine: 'sqlite'; file: string; reader: StoredBatchesReader }
  | { engine: 'postgres'; server: TestPostgres; reader: StoredBatchesReader }

export interface CampaignDatabase {
  database: CloudDatabase
  /** The cloud config's `store` section for this engine (undefined: SQLite, the default, needs none). */
  storeConfig: Record<string, unknown> | undefined
  dispose(): Promise<void>
}

/** `cloudDataDir` is where the cloud config's dataDir points (the SQLite file lives there). */
export async function openCampaignDatabase(engine: StoreEngine, cloudDataDir: string): Promise<CampaignDatabase> {
  if (engine === 'sqlite') {
    const file = path.join(cloudDataDir, 'cloud.db')
    const reader = sqliteStoredReader(file)
    return { database: { engine, file, reader }, storeConfig: undefined, dispose: () => reader.close() }
  }
  const server = await startPostgres({ database: 'parklink', timeoutMs: 60_000 })
  const reader = postgresStoredReader(server.url)
  return {
    database: { engine, server, reader },
    storeConfig: { engine: 'postgres', url: server.url },
    async dispose() {
      await reader.close()
      await server.stop()
    },
  }
}
