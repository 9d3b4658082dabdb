import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { createEvaluator } from '../../../shared/rules/evaluate.ts'
import { runStoreTests } from '../../../test/conformance/store.suite.ts'
import { createLogger } from '../../log.ts'
import type { Store } from '../store.ts'
import { openSqliteStore } from './store.ts'

/**
 * The store conformance suite again, with the historian compacted while it runs (issue 15): the
 * contract must hold whether a batch's samples are still a block or sealed into chunks. `every`:
 * after which stored batches everything received so far is compacted (1: all of them, 2: every
 * other one, so reads see chunks and blocks side by side).
 */
function compacting(store: Store, every: number): Store {
  let batches = 0
  const ingestBatch: Store['ingestBatch'] = async (batch, meta) => {
    const result = await store.ingestBatch(batch, meta)
    if (++batches % every === 0) await store.compactSamples(Number.MAX_SAFE_INTEGER)
    return result
  }
  return new Proxy(store, {
    get: (target, key, receiver) => (key === 'ingestBatch' ? ingestBatch : Reflect.get(target, key, receiver)),
  })
}

for (const [name, every] of [
  ['sqlite, compacted after every batch', 1],
  ['sqlite, half compacted', 2],
] as const)
  runStoreTests({
    name,
    newStore: async (o) => {
      const dir = mkdtempSync(path.join(tmpdir(), 'parklink-store-'))
      const store = openSqliteStore({
        file: path.join(dir, 'cloud.db'),
        evaluate: createEvaluator(),
        log: createLogger({ level: 'silent' }),
        ...o,
      })
      return {
        store: compacting(store, every),
        dispose: async () => {
          await store.close()
          rmSync(dir, { recursive: true, force: true })
        },
      }
    },
  })
