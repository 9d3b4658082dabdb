import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import Database from 'better-sqlite3'
import { createLogger } from '../../cloud/log.ts'
import { verifyAuditChain } from '../../cloud/store/sqlite/audit-chain.ts'
import { openSqliteStore } from '../../cloud/store/sqlite/store.ts'
import type { Store } from '../../cloud/store/store.ts'
import { createEvaluator } from '../../shared/rules/evaluate.ts'
import type { StoreFactoryOptions as RepoFactoryOptions, StoreHandle } from '../conformance/store.suite.ts'

/**
 * A fresh SQLite store in a temp dir for the store conformance suite (runStoreTests), as
 * `wrap` makes it (e.g. compacting after every batch); removed by dispose.
 */
export async function sqliteStoreHandle(
  o: RepoFactoryOptions,
  wrap = (s: Store) => s,
): Promise<StoreHandle & { file: string }> {
  const dir = mkdtempSync(path.join(tmpdir(), 'parklink-store-'))
  const file = path.join(dir, 'cloud.db')
  const store = openSqliteStore({ file, evaluate: createEvaluator(), log: createLogger({ level: 'silent' }), ...o })
  return {
    store: wrap(store),
    file,
    // What `parklink cloud audit verify` does: a reader of its own on the file.
    verifyAuditChain: async () => {
      const reader = new Database(file, { readonly: true })
      try {
        return verifyAuditChain(reader)
      } finally {
        reader.close()
      }
    },
    dispose: async () => {
      await store.close()
      rmSync(dir, { recursive: true, force: true })
    },
  }
}
