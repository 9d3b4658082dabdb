import postgres from 'postgres'
import { afterAll, beforeAll } from 'vitest'
import { runAuthTests } from '../../../test/conformance/store/auth.suite.ts'
import { runBundleTests } from '../../../test/conformance/store/bundles.suite.ts'
import { runEdgeTests } from '../../../test/conformance/store/edges.suite.ts'
import { runGapTests } from '../../../test/conformance/store/gaps.suite.ts'
import { type BatchKey, runOutboxTests } from '../../../test/conformance/store/outboxes.suite.ts'
import type { RepoFactoryOptions } from '../../../test/conformance/store/fixtures.ts'
import { runRegistryTests } from '../../../test/conformance/store/registry.suite.ts'
import { runTelemetryTests } from '../../../test/conformance/store/telemetry.suite.ts'
import { EDGE } from '../../../test/conformance/store/fixtures.ts'
import { damagePgChunk, putPgSamples } from '../../../test/util/pg-samples.ts'
import type { Sample } from '../../../shared/wire/sample.ts'
import { startPostgres, type TestPostgres } from '../../../test/util/postgres.ts'
import { createLogger } from '../../log.ts'
import { type PgDb, openPostgres } from './db.ts'
import { pgBundleRepo } from './bundles.ts'
import { noteOutbox } from './outboxes.ts'
import {
  pgAuthStore,
  pgEdgeRepo,
  pgGapRepo,
  pgOutboxRepo,
  pgRegistryRepo,
  pgRegistryStore,
  pgTelemetryRepo,
  verifyAuditChain,
} from './repos.ts'
import { batches, edges } from './schema.ts'

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

/** A fresh database cloned from the migrated template, dropped by dispose. */
async function freshDb() {
  const name = `conformance_${process.pid}_${++n}`
  await admin.unsafe(`create database "${name}" template "${TEMPLATE}"`)
  const db = await openPostgres({ url: server.url.replace(`/${TEMPLATE}`, `/${name}`), max: 4 })
  const dispose = async () => {
    await db.$client.end({ timeout: 5 })
    await admin.unsafe(`drop database "${name}" with (force)`)
  }
  return { db, dispose }
}

async function newRepos(o: RepoFactoryOptions) {
  const { db, dispose } = await freshDb()
  const repos = {
    auth: pgAuthStore(db),
    registry: pgRegistryStore(db),
    ...pgRegistryRepo(db, { log: createLogger({ level: 'silent' }), onAlarmChange: o.onAlarmChange }),
    ...pgGapRepo(db),
    ...pgEdgeRepo(db),
    ...pgOutboxRepo(db),
    ...pgBundleRepo(db),
  }
  return {
    repos,
    storeBatch: (key: BatchKey) => storeBatchKey(db, key),
    verifyAuditChain: () => verifyAuditChain(db),
    dispose,
  }
}

/** The telemetry section's store: its samples put in by the test fixture until the PostgreSQL ingest exists. */
async function newTelemetryRepos(o: RepoFactoryOptions) {
  const { db, dispose } = await freshDb()
  const log = createLogger({ level: 'silent' })
  return {
    repos: { ...pgTelemetryRepo(db, { onCorrupt: o.onCorrupt ?? (() => {}) }), ...pgRegistryRepo(db, { log }) },
    putSamples: (b: { seq: number; receivedAt: number }, samples: Sample[]) =>
      putPgSamples(db, { edge: EDGE, ...b }, samples),
    damageChunk: (point: string, hour: number) => damagePgChunk(db, point, hour),
    verifyAuditChain: () => verifyAuditChain(db),
    dispose,
  }
}

/**
 * What ingest writes of a batch's outbox and key, in the order SQLite's ingest does (its outbox
 * noted, then its row, then the edge row it creates): the PostgreSQL ingest is still to come, so
 * the outboxes section stores its batches through the engine's own outbox step and these rows.
 */
async function storeBatchKey(db: PgDb, k: BatchKey): Promise<void> {
  await db.transaction(async (tx) => {
    await noteOutbox(tx, k.edge, k.outbox, k.receivedAt)
    await tx.insert(batches).values({
      edge: k.edge,
      outbox: k.outbox,
      seq: k.seq,
      session: 's-1',
      maxTs: k.maxTs,
      floor: k.floor,
      receivedAt: k.receivedAt,
      sampleCount: 1,
    })
    await tx
      .insert(edges)
      .values({ id: k.edge, site: 'huaian', session: 's-1', online: true, lastSeen: k.receivedAt, outboxId: k.outbox })
      .onConflictDoNothing()
  })
}

runAuthTests({ name: 'postgres', newRepos })
runRegistryTests({ name: 'postgres', newRepos })
runGapTests({ name: 'postgres', newRepos })
runEdgeTests({ name: 'postgres', newRepos })
runBundleTests({ name: 'postgres', newRepos })
runOutboxTests({ name: 'postgres', newRepos })
runTelemetryTests({ name: 'postgres', newRepos: newTelemetryRepos })
