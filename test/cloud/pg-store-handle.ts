import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { createLogger } from '../../cloud/log.ts'
import { openPostgres } from '../../cloud/store/postgres/db.ts'
import { verifyAuditChain } from '../../cloud/store/postgres/repos.ts'
import { openPostgresStore } from '../../cloud/store/postgres/store.ts'
import type { Store } from '../../cloud/store/store.ts'
import { createEvaluator } from '../../shared/rules/evaluate.ts'
import type { StoreFactoryOptions, StoreHandle } from '../conformance/store.suite.ts'
import { freshDatabase } from '../util/pg-databases.ts'

/**
 * A fresh PostgreSQL store for the store conformance suite (runStoreTests): a database copied
 * from the migrated template of the cluster at `templateUrl` (test/util/pg-databases.ts), as
 * `wrap` makes it; dispose closes it and drops the database.
 */
export async function pgStoreHandle(
  templateUrl: string,
  o: StoreFactoryOptions,
  wrap = (s: Store) => s,
): Promise<StoreHandle> {
  const database = await freshDatabase(templateUrl)
  const dir = mkdtempSync(path.join(tmpdir(), 'parklink-pgstore-'))
  const remove = async () => {
    await database.drop()
    rmSync(dir, { recursive: true, force: true })
  }
  let store: Store
  try {
    store = await openPostgresStore({
      connection: { url: database.url, max: 4 },
      dataDir: dir,
      evaluate: createEvaluator(),
      log: createLogger({ level: 'silent' }),
      ...o,
    })
  } catch (err) {
    await remove()
    throw err
  }
  return {
    store: wrap(store),
    // What `parklink cloud audit verify` does: a connection of its own.
    verifyAuditChain: async () => {
      const reader = await openPostgres({ url: database.url, max: 1 })
      try {
        return await verifyAuditChain(reader)
      } finally {
        await reader.$client.end({ timeout: 5 })
      }
    },
    dispose: async () => {
      await store.close()
      await remove()
    },
  }
}
