import Database from 'better-sqlite3'
import type { Sample } from '../../shared/wire/sample.ts'
import type { RepoFactoryOptions, RepoHandle } from '../conformance/store/fixtures.ts'
import { EDGE, registry } from '../conformance/store/fixtures.ts'
import type { RetentionRepos } from '../conformance/store/retention.suite.ts'
import { rawSampleCount } from '../util/stored-samples.ts'
import { sqliteStoreHandle } from './sqlite-store-handle.ts'

/**
 * The retention section (test/conformance/store/retention.suite.ts) on SQLite: telemetry goes in
 * through the store itself (ingest, which writes the block and the rollups; the compaction seals
 * it into its chunk), and is counted by a reader of its own on the file.
 */
export async function sqliteRetentionHandle(o: RepoFactoryOptions): Promise<RepoHandle<RetentionRepos>> {
  const h = await sqliteStoreHandle(o)
  await h.store.applyRegistry(registry)
  const reader = new Database(h.file, { readonly: true })
  let seq = 0
  const put = async (sample: Sample, receivedAt: number, form: 'sealed' | 'block') => {
    const batch = {
      v: 1 as const,
      edge: EDGE,
      session: 's-1',
      outbox: 'outbox-ret',
      seq: ++seq,
      floor: 1,
      samples: [sample],
    }
    const stored = await h.store.ingestBatch(batch, { site: 'huaian', receivedAt })
    if (stored.samples !== 1) throw new Error(`the sample was not stored: ${JSON.stringify(stored)}`)
    if (form === 'sealed') await h.store.compactSamples(Number.MAX_SAFE_INTEGER)
  }
  const starts = (table: string) =>
    (reader.prepare(`SELECT start FROM ${table} ORDER BY start`).all() as Array<{ start: number }>).map((r) => r.start)
  return {
    repos: {
      retention: h.store,
      put,
      rawCount: async () => rawSampleCount(reader),
      rollupStarts: async (width) => starts(width === '1m' ? 'rollups_1m' : 'rollups_1h'),
    },
    verifyAuditChain: h.verifyAuditChain,
    dispose: async () => {
      reader.close()
      await h.dispose()
    },
  }
}
