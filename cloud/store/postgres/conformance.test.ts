import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import postgres from 'postgres'
import { afterAll, beforeAll } from 'vitest'
import { runAlarmTests } from '../../../test/conformance/store/alarms.suite.ts'
import { runAuthTests } from '../../../test/conformance/store/auth.suite.ts'
import { runBundleTests } from '../../../test/conformance/store/bundles.suite.ts'
import { runCameraTests } from '../../../test/conformance/store/cameras.suite.ts'
import { runEdgeTests } from '../../../test/conformance/store/edges.suite.ts'
import { runGapTests } from '../../../test/conformance/store/gaps.suite.ts'
import { type BatchKey, runOutboxTests } from '../../../test/conformance/store/outboxes.suite.ts'
import { EDGE, type RepoFactoryOptions } from '../../../test/conformance/store/fixtures.ts'
import { runRegistryTests } from '../../../test/conformance/store/registry.suite.ts'
import { runReportTests } from '../../../test/conformance/store/reports.suite.ts'
import { storePgCameraEvents } from '../../../test/util/pg-camera-events.ts'
import { runRetentionTests } from '../../../test/conformance/store/retention.suite.ts'
import { pgRetentionRepos } from '../../../test/cloud/pg-retention-handle.ts'
import { startPostgres, type TestPostgres } from '../../../test/util/postgres.ts'
import { createLogger } from '../../log.ts'
import type { CameraEvent } from '../../../shared/wire/camera.ts'
import { openSnapshotFiles } from '../snapshot-files.ts'
import { type PgDb, openPostgres } from './db.ts'
import { pgBundleRepo } from './bundles.ts'
import { noteOutbox } from './outboxes.ts'
import {
  pgAlarmRepo,
  pgAuthStore,
  pgCameraRepo,
  pgEdgeRepo,
  pgGapRepo,
  pgOutboxRepo,
  pgRegistryRepo,
  pgRegistryStore,
  pgReportStore,
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

/** A fresh database cloned from the migrated template; `dispose` drops it. */
async function newDatabase() {
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
  const { db, dispose } = await newDatabase()
  const snapshotsDir = mkdtempSync(path.join(tmpdir(), 'parklink-pg-snapshots-'))
  const log = createLogger({ level: 'silent' })
  const repos = {
    auth: pgAuthStore(db),
    registry: pgRegistryStore(db),
    reports: pgReportStore(db),
    ...pgRegistryRepo(db, { log, onAlarmChange: o.onAlarmChange }),
    ...pgAlarmRepo(db, { log, onAlarmChange: o.onAlarmChange }),
    ...pgGapRepo(db),
    ...pgEdgeRepo(db),
    ...pgOutboxRepo(db),
    ...pgBundleRepo(db),
    ...pgCameraRepo(db, { snapshotsDir }),
  }
  return {
    repos,
    storeBatch: (key: BatchKey) => storeBatchKey(db, key),
    // The PostgreSQL ingest is still to come: the camera events through the engine's own pieces.
    storeCameraEvents: (events: CameraEvent[], receivedAt: number) =>
      storePgCameraEvents(db, openSnapshotFiles(snapshotsDir), events, { edge: EDGE, receivedAt, log }),
    verifyAuditChain: () => verifyAuditChain(db),
    dispose: async () => {
      await dispose()
      rmSync(snapshotsDir, { recursive: true, force: true })
    },
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
runAlarmTests({ name: 'postgres', newRepos })
runReportTests({ name: 'postgres', newRepos })
runCameraTests({ name: 'postgres', newRepos })
runRetentionTests({
  name: 'postgres',
  newRepos: async () => {
    const { db, dispose } = await newDatabase()
    return { repos: pgRetentionRepos(db), verifyAuditChain: () => verifyAuditChain(db), dispose }
  },
})
