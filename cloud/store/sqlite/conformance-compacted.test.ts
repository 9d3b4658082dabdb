import { runStoreTests } from '../../../test/conformance/store.suite.ts'
import { sqliteStoreHandle } from '../../../test/cloud/sqlite-store-handle.ts'
import type { Store } from '../store.ts'

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
  runStoreTests({ name, newStore: (o) => sqliteStoreHandle(o, (store) => compacting(store, every)) })
