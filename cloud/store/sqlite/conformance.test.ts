import { runStoreTests } from '../../../test/conformance/store.suite.ts'
import { sqliteStoreHandle } from '../../../test/cloud/sqlite-store-handle.ts'

// The store conformance suite on the embedded engine: a fresh database file per test.
runStoreTests({ name: 'sqlite', newStore: (o) => sqliteStoreHandle(o) })
