import path from 'node:path'
import { sql } from 'drizzle-orm'
import type { Logger } from 'pino'
import type { PointEvaluator } from '../../../shared/rules/evaluate.ts'
import { openPlanImageFiles } from '../plan-image-files.ts'
import { logCorrupt, type OnCorrupt } from '../historian/corrupt.ts'
import { openSnapshotFiles } from '../snapshot-files.ts'
import type { AlarmChange, PushPlanner, Store } from '../store.ts'
import { pgBundleRepo } from './bundles.ts'
import { pgPushOutbox } from './push-outbox.ts'
import { type PgConnection, openPostgres } from './db.ts'
import type { BatchFence } from './ingest.ts'
import {
  pgAlarmRepo,
  pgAuthStore,
  pgCameraRepo,
  pgDeliveryRepo,
  pgEdgeRepo,
  pgGapRepo,
  pgGasWarningRepo,
  pgIngestRepo,
  pgOutboxRepo,
  pgRegistryRepo,
  pgRegistryStore,
  pgReportStore,
  pgRetentionRepo,
  pgTelemetryRepo,
  pgWindowRepo,
} from './repos.ts'

export interface PostgresStoreOptions {
  connection: PgConnection
  /** Files the database does not hold: snapshot JPEGs ({dataDir}/snapshots) and the park plan image ({dataDir}/plan). */
  dataDir: string
  evaluate: PointEvaluator
  log: Logger
  onAlarmChange?: (change: AlarmChange) => void
  planPushes?: PushPlanner
  onCorrupt?: OnCorrupt
  /** Several replicas (issue 16): checked in every batch transaction (ingest.ts BatchFence). */
  fence?: BatchFence
}

/**
 * The PostgreSQL engine (issue 15, `store.engine: postgres`): one pool, the schema migrated on
 * open (db.ts), and the Store composed of the engine's repositories (repos.ts), each passing the
 * same store conformance suite as SQLite's. Snapshot pictures and the plan image stay files in
 * dataDir on this engine too.
 */
export async function openPostgresStore(options: PostgresStoreOptions): Promise<Store> {
  const db = await openPostgres(options.connection)
  const { log } = options
  const planInTx = pgPushOutbox(options.planPushes)
  // Snapshot JPEGs as on SQLite ({dataDir}/snapshots): every cloud process on this database must see the same directory.
  const snapshotsDir = path.join(options.dataDir, 'snapshots')
  // The repositories that write alarm changes tell the listener after their commits (a throwing one is logged).
  const alarmOptions = { log, planInTx, ...(options.onAlarmChange ? { onAlarmChange: options.onAlarmChange } : {}) }
  return {
    auth: pgAuthStore(db),
    registry: pgRegistryStore(db),
    reports: pgReportStore(db),
    plan: openPlanImageFiles(path.join(options.dataDir, 'plan')),
    ping: async () => void (await db.execute(sql`select 1`)),
    close: () => db.$client.end({ timeout: 5 }),
    ...pgIngestRepo(db, {
      log,
      evaluate: options.evaluate,
      ...(options.onAlarmChange ? { onAlarmChange: options.onAlarmChange } : {}),
      ...(options.planPushes ? { planPushes: options.planPushes } : {}),
      files: openSnapshotFiles(snapshotsDir),
      ...(options.fence ? { fence: options.fence } : {}),
    }),
    ...pgOutboxRepo(db),
    ...pgEdgeRepo(db),
    ...pgTelemetryRepo(db, { onCorrupt: options.onCorrupt ?? logCorrupt(log) }),
    ...pgAlarmRepo(db, alarmOptions),
    ...pgRegistryRepo(db, alarmOptions),
    ...pgWindowRepo(db),
    ...pgDeliveryRepo(db),
    ...pgGapRepo(db),
    ...pgCameraRepo(db, { snapshotsDir }),
    ...pgGasWarningRepo(db),
    ...pgBundleRepo(db),
    ...pgRetentionRepo(db),
  }
}
