import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { createEvaluator } from '../../../shared/rules/evaluate.ts'
import { runStoreTests } from '../../../test/conformance/store.suite.ts'
import { createLogger } from '../../log.ts'
import { openSqliteStore } from './store.ts'

// The store conformance suite on the embedded engine: a fresh database file per test.
runStoreTests({
  name: 'sqlite',
  newStore: async (o) => {
    const dir = mkdtempSync(path.join(tmpdir(), 'parklink-store-'))
    const store = openSqliteStore({
      file: path.join(dir, 'cloud.db'),
      evaluate: createEvaluator(),
      log: createLogger({ level: 'silent' }),
      ...o,
    })
    return {
      store,
      dispose: async () => {
        await store.close()
        rmSync(dir, { recursive: true, force: true })
      },
    }
  },
})
