import path from 'node:path'
import { sql } from 'drizzle-orm'
import type { Logger } from 'pino'
import type { PointEvaluator } from '../../../shared/rules/evaluate.ts'
import { openPlanImageFiles } from '../plan-image-files.ts'
import type { OnCorrupt } from '../sqlite/corrupt.ts'
import type { AlarmChange, PushPlanner, Store } from '../store.ts'
import { pgBundleRepo } from './bundles.ts'
import { type PgConnection, openPostgres } from './db.ts'
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
  pgPushOutbox,
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
  const emit = (change: AlarmChange) => {
    try {
      options.onAlarmChange?.(change)
    } catch (err) {
      log.error({ err, change }, 'an alarm change listener failed')
    }
  }
  const planInTx = pgPushOutbox(db, options.planPushes)
  const alarmOptions = { log, onAlarmChange: emit, planInTx }
  return {
    auth: pgAuthStore(db),
    registry: pgRegistryStore(db),
    reports: pgReportStore(db),
    plan: openPlanImageFiles(path.join(options.dataDir, 'plan')),
    ping: async () => void (await db.execute(sql`select 1`)),
    close: () => db.$client.end({ timeout: 5 }),
    ...pgIngestRepo(db, {
      ...alarmOptions,
      evaluate: options.evaluate,
      snapshotsDir: path.join(options.dataDir, 'snapshots'),
    }),
    ...pgOutboxRepo(db),
    ...pgEdgeRepo(db),
    ...pgTelemetryRepo(db, { onCorrupt: options.onCorrupt }),
    ...pgAlarmRepo(db, alarmOptions),
    ...pgRegistryRepo(db, alarmOptions),
    ...pgWindowRepo(db),
    ...pgDeliveryRepo(db),
    ...pgGapRepo(db),
    ...pgCameraRepo(db, { snapshotsDir: path.join(options.dataDir, 'snapshots') }),
    ...pgGasWarningRepo(db),
    ...pgBundleRepo(db),
    ...pgRetentionRepo(db),
  }
}
