import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import postgres from 'postgres'
import { afterAll, beforeAll } from 'vitest'
import { runAuthTests } from '../../../test/conformance/store/auth.suite.ts'
import { runBundleTests } from '../../../test/conformance/store/bundles.suite.ts'
import { runEdgeTests } from '../../../test/conformance/store/edges.suite.ts'
import { runGapTests } from '../../../test/conformance/store/gaps.suite.ts'
import { type BatchKey, runOutboxTests } from '../../../test/conformance/store/outboxes.suite.ts'
import type { RepoFactoryOptions } from '../../../test/conformance/store/fixtures.ts'
import { runRegistryTests } from '../../../test/conformance/store/registry.suite.ts'
import { startPostgres, type TestPostgres } from '../../../test/util/postgres.ts'
import { createLogger } from '../../log.ts'
import { createEvaluator } from '../../../shared/rules/evaluate.ts'
import { openSnapshotFiles } from '../snapshot-files.ts'
import { LEVEL } from '../../../test/conformance/store/fixtures.ts'
import { runIngestTests } from '../../../test/conformance/store/ingest.suite.ts'
import { pgInspect } from '../../../test/cloud/pg-ingest-inspect.ts'
import { openPostgres } from './db.ts'
import { pgBundleRepo } from './bundles.ts'
import {
  pgAuthStore,
  pgEdgeRepo,
  pgGapRepo,
  pgIngestRepo,
  pgOutboxRepo,
  pgRegistryRepo,
  pgRegistryStore,
  verifyAuditChain,
} from './repos.ts'

/**
 * The store conformance sections the PostgreSQL engine has repositories for, on a real
 * PostgreSQL (Debian's, started for this file). Each test gets a fresh database cloned from a
 * template migrated once, so tests are independent and start fast; each is dropped after it.
 */
let server: TestPostgres
let admin: postgres.Sql
let n = 0
const TEMPLATE = 'parklink_template'

beforeAll(async () => {
  server = await startPostgres({ database: TEMPLATE })
  const migrated = await openPostgres({ url: server.url, max: 1 })
  await migrated.$client.end({ timeout: 5 })
  admin = postgres(server.url.replace(`/${TEMPLATE}`, '/postgres'), { max: 1, onnotice: () => {} })
}, 120_000)

afterAll(async () => {
  await admin?.end({ timeout: 5 })
  await server?.stop()
})

async function newRepos(o: RepoFactoryOptions) {
  const name = `conformance_${process.pid}_${++n}`
  await admin.unsafe(`create database "${name}" template "${TEMPLATE}"`)
  const db = await openPostgres({ url: server.url.replace(`/${TEMPLATE}`, `/${name}`), max: 4 })
  const dir = mkdtempSync(path.join(tmpdir(), 'parklink-pg-snapshots-'))
  const log = createLogger({ level: 'silent' })
  const repos = {
    auth: pgAuthStore(db),
    registry: pgRegistryStore(db),
    ...pgRegistryRepo(db, { log: createLogger({ level: 'silent' }), onAlarmChange: o.onAlarmChange }),
    ...pgGapRepo(db),
    ...pgEdgeRepo(db),
    ...pgOutboxRepo(db),
    ...pgBundleRepo(db),
    ...pgIngestRepo(db, { log, evaluate: createEvaluator(), files: openSnapshotFiles(dir), ...o }),
  }
  return {
    repos,
    db,
    // The whole ingest stores the batch (one sample at its newest time, inside LEVEL's limits), as on SQLite.
    storeBatch: async (k: BatchKey) => {
      const b = { v: 1 as const, edge: k.edge, session: 's-1', outbox: k.outbox, seq: k.seq, floor: k.floor }
      const sample = { point: LEVEL, ts: k.maxTs, value: 5, quality: 'good' as const }
      await repos.ingestBatch({ ...b, samples: [sample] }, { site: 'huaian', receivedAt: k.receivedAt })
    },
    verifyAuditChain: () => verifyAuditChain(db),
    dispose: async () => {
      await db.$client.end({ timeout: 5 })
      await admin.unsafe(`drop database "${name}" with (force)`)
      rmSync(dir, { recursive: true, force: true })
    },
  }
}

runAuthTests({ name: 'postgres', newRepos })
runRegistryTests({ name: 'postgres', newRepos })
runGapTests({ name: 'postgres', newRepos })
runEdgeTests({ name: 'postgres', newRepos })
runBundleTests({ name: 'postgres', newRepos })
runOutboxTests({ name: 'postgres', newRepos })
runIngestTests({
  name: 'postgres',
  newRepos: async (o) => {
    const h = await newRepos(o)
    return { ...h, inspect: pgInspect(h.db) }
  },
})
