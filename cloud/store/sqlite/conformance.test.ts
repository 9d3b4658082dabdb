import Database from 'better-sqlite3'
import { runStoreTests } from '../../../test/conformance/store.suite.ts'
import { type IngestInspect, runIngestTests } from '../../../test/conformance/store/ingest.suite.ts'
import { sqliteStoreHandle } from '../../../test/cloud/sqlite-store-handle.ts'
import { sqliteRetentionHandle } from '../../../test/cloud/sqlite-retention-handle.ts'
import { runRetentionTests } from '../../../test/conformance/store/retention.suite.ts'
import type { Store } from '../store.ts'

// The store conformance suite on the embedded engine: a fresh database file per test.
runStoreTests({ name: 'sqlite', newStore: (o) => sqliteStoreHandle(o) })
runRetentionTests({ name: 'sqlite', newRepos: sqliteRetentionHandle })

/** The ingest section's read-back: the public reads, and a reader of its own on the file for what they do not show. */
function inspectOf(store: Store, file: string): IngestInspect {
  const read = <T>(query: string): T[] => {
    const reader = new Database(file, { readonly: true })
    try {
      return reader.prepare(query).all() as T[]
    } finally {
      reader.close()
    }
  }
  return {
    sampleCount: async () => read<{ n: number }>('SELECT coalesce(sum(count), 0) AS n FROM sample_blocks')[0]!.n,
    alarms: async () =>
      (await store.listAlarms({ scope: 'all', state: 'all', limit: 100 })).sort((a, b) => a.id - b.id),
    ruleStatePoints: async () =>
      read<{ point: string }>('SELECT point FROM rule_state ORDER BY point').map((r) => r.point),
    unevaluated: async (point) =>
      (await store.listUnevaluated(point, { from: 0, to: Number.MAX_SAFE_INTEGER, limit: 100 })).map((r) => [
        r.reason,
        r.samples,
      ]),
    approveWindow: async (points, from, to) => {
      const asked = await store.requestWindow(
        { enterprise: 'shilian', points, from, to, reason: 'works', by: 'ent' },
        from - 1000,
        'all',
      )
      if (!asked.ok) throw new Error(asked.message)
      await store.decideWindow(asked.window.id, { decision: 'approve', by: 'park' }, from - 500, 'all')
    },
    deliveries: async () => read<{ n: number }>('SELECT count(*) AS n FROM notification_deliveries')[0]!.n,
  }
}

runIngestTests({
  name: 'sqlite',
  newRepos: async (o) => {
    const h = await sqliteStoreHandle(o)
    return {
      repos: h.store,
      inspect: inspectOf(h.store, h.file),
      verifyAuditChain: h.verifyAuditChain,
      dispose: h.dispose,
    }
  },
})
