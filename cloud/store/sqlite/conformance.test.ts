import Database from 'better-sqlite3'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { createEvaluator } from '../../../shared/rules/evaluate.ts'
import { runStoreTests } from '../../../test/conformance/store.suite.ts'
import { createLogger } from '../../log.ts'
import { verifyAuditChain } from './audit-chain.ts'
import { openSqliteStore } from './store.ts'

// The store conformance suite on the embedded engine: a fresh database file per test.
runStoreTests({
  name: 'sqlite',
  newStore: async (o) => {
    const dir = mkdtempSync(path.join(tmpdir(), 'parklink-store-'))
    const file = path.join(dir, 'cloud.db')
    const store = openSqliteStore({
      file,
      evaluate: createEvaluator(),
      log: createLogger({ level: 'silent' }),
      ...o,
    })
    return {
      store,
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
  },
})
