import { runStoreTests } from '../../../test/conformance/store.suite.ts'
import { sqliteStoreHandle } from '../../../test/cloud/sqlite-store-handle.ts'
import { sqliteRetentionHandle } from '../../../test/cloud/sqlite-retention-handle.ts'
import { runRetentionTests } from '../../../test/conformance/store/retention.suite.ts'

// The store conformance suite on the embedded engine: a fresh database file per test.
runStoreTests({ name: 'sqlite', newStore: (o) => sqliteStoreHandle(o) })
runRetentionTests({ name: 'sqlite', newRepos: sqliteRetentionHandle })
