import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import postgres from 'postgres'
import { runAlarmTests } from '../../../test/conformance/store/alarms.suite.ts'
import { runAuthTests } from '../../../test/conformance/store/auth.suite.ts'
import { runBundleTests } from '../../../test/conformance/store/bundles.suite.ts'
import { runCameraTests } from '../../../test/conformance/store/cameras.suite.ts'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { runDeliveryTests } from '../../../test/conformance/store/deliveries.suite.ts'
import { runEdgeTests } from '../../../test/conformance/store/edges.suite.ts'
import { runGapTests } from '../../../test/conformance/store/gaps.suite.ts'
import { runGasWarningTests } from '../../../test/conformance/store/gas-warnings.suite.ts'
import { type BatchKey, runOutboxTests } from '../../../test/conformance/store/outboxes.suite.ts'
import { runReportTests } from '../../../test/conformance/store/reports.suite.ts'
import { storePgCameraEvents } from '../../../test/util/pg-camera-events.ts'
import { runRetentionTests } from '../../../test/conformance/store/retention.suite.ts'
import { pgRetentionRepos } from '../../../test/cloud/pg-retention-handle.ts'
import {
  EDGE,
  LEVEL,
  type RepoFactoryOptions,
  registry,
  type SeedAlarm,
  seedWrite,
  T0,
} from '../../../test/conformance/store/fixtures.ts'
import { runRegistryTests } from '../../../test/conformance/store/registry.suite.ts'
import { runWindowTests } from '../../../test/conformance/store/windows.suite.ts'
import { waitFor } from '../../../test/util/wait.ts'
import { startPostgres, type TestPostgres } from '../../../test/util/postgres.ts'
import { createLogger } from '../../log.ts'
import type { CameraEvent } from '../../../shared/wire/camera.ts'
import { openSnapshotFiles } from '../snapshot-files.ts'
import { type PgDb, openPostgres } from './db.ts'
import { alarmPushRows } from '../push-rows.ts'
import { saveAlarm } from './alarm-writes.ts'
import { pgBundleRepo } from './bundles.ts'
import { noteOutbox } from './outboxes.ts'
import {
  pgAlarmRepo,
  pgAuthStore,
  pgCameraRepo,
  pgDeliveryRepo,
  pgEdgeRepo,
  pgGapRepo,
  pgGasWarningRepo,
  pgOutboxRepo,
  pgRegistryRepo,
  pgRegistryStore,
  pgReportStore,
  pgWindowRepo,
  verifyAuditChain,
} from './repos.ts'
import { batches, edges, maintenanceWindows, notificationDeliveries } from './schema.ts'

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
    ...pgWindowRepo(db),
    ...pgDeliveryRepo(db),
    ...pgGasWarningRepo(db),
  }
  return {
    repos,
    db,
    storeBatch: (key: BatchKey) => storeBatchKey(db, key),
    // The PostgreSQL ingest is still to come: the camera events through the engine's own pieces.
    storeCameraEvents: (events: CameraEvent[], receivedAt: number) =>
      storePgCameraEvents(db, openSnapshotFiles(snapshotsDir), events, { edge: EDGE, receivedAt, log }),
    seedAlarm: ((alarm, pushes = []) => seedAlarm(db, alarm, pushes)) satisfies SeedAlarm,
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

/**
 * The conformance suite's SeedAlarm on PostgreSQL: the engine's alarm writes, and the ledger rows
 * the push outbox plans (engine-neutral rows; the PostgreSQL push outbox comes with the AlarmRepo).
 */
async function seedAlarm(db: PgDb, ...[alarm, pushes = []]: Parameters<SeedAlarm>): Promise<number> {
  return db.transaction(async (tx) => {
    const id = await saveAlarm(tx, seedWrite(alarm), [])
    if (id === null) throw new Error(`alarm ${alarm.point} ${alarm.kind} is active already`)
    if (pushes.length > 0)
      await tx.insert(notificationDeliveries).values(alarmPushRows(id, pushes)).onConflictDoNothing()
    return id
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
runWindowTests({ name: 'postgres', newRepos })
runDeliveryTests({ name: 'postgres', newRepos })
runGasWarningTests({ name: 'postgres', newRepos })

describe('postgres: a window decision reads the window FOR UPDATE', () => {
  let handle: Awaited<ReturnType<typeof newRepos>>
  beforeEach(async () => {
    handle = await newRepos({})
    await handle.repos.applyRegistry(registry)
  })
  afterEach(() => handle.dispose())

  it('two decisions waiting on one window: the first decides, the second sees its commit and is refused', async () => {
    const { repos, db } = handle
    const req = await repos.requestWindow(
      { enterprise: 'shilian', points: [LEVEL], from: T0, to: T0 + 60_000, reason: 'r', by: 'e' },
      T0 - 1000,
      'all',
    )
    if (!req.ok) throw new Error(req.message)
    const id = req.window.id
    // A third party holds the row: both decisions must queue behind it, then behind each other.
    let release = () => {}
    const held = new Promise<void>((resolve) => (release = resolve))
    const holder = db.transaction(async (tx) => {
      await tx.select().from(maintenanceWindows).for('update')
      await held
    })
    const waiting = async () =>
      Number(
        (
          await db.$client`select count(*) as n from pg_stat_activity
            where wait_event_type = 'Lock' and datname = current_database()`
        )[0]!.n,
      )
    const decisions = Promise.all([
      repos.decideWindow(id, { decision: 'approve', by: 'park-a' }, T0 - 500, 'all'),
      repos.decideWindow(id, { decision: 'reject', by: 'park-b' }, T0 - 500, 'all'),
    ])
    await waitFor(async () => ((await waiting()) === 2 ? true : null))
    release()
    await holder
    const outcomes = await decisions
    expect(outcomes.filter((o) => o.ok)).toHaveLength(1)
    expect(outcomes.find((o) => !o.ok)).toMatchObject({ ok: false, code: 'STATE_CONFLICT' })
    const winner = outcomes.find((o) => o.ok)!
    expect((await repos.getWindow(id, 'all'))?.status).toBe(winner.ok ? winner.window.status : 'none')
  })
})
