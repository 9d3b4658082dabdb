import type { Logger } from 'pino'
import type { PointEvaluator } from '../../../shared/rules/evaluate.ts'
import type { AlarmChange, PushPlanner } from '../store.ts'
import { createPushOutbox } from './push-outbox.ts'
import { createAlarmChangeOps } from './alarm-changes.ts'
import type { AuthStore } from '../auth-store.ts'
import { createAuthOps } from './auth.ts'
import { createAlarmOps } from './alarms.ts'
import { createWindowOps } from './windows.ts'
import { createDeliveryOps } from './deliveries.ts'
import { openDatabase } from './db.ts'
import { createBatchIngest } from './ingest.ts'
import { createQueries } from './queries.ts'
import { createGapOps } from './gaps.ts'
import { createLateOps } from './late.ts'
import { createOutboxOps } from './outboxes.ts'
import { createHistoryOps } from './history.ts'
import { createRegistryOps } from './registry-crud.ts'
import type { RegistryStore } from '../registry-store.ts'
import { createStatusOps } from './status.ts'
import path from 'node:path'
import { createCameraQueries } from './cameras.ts'
import { createCameraHistory } from './camera-history.ts'
import { openSnapshotFiles } from '../snapshot-files.ts'
import { createOwnershipOps } from './ownership.ts'
import { createGasWarningOps } from './gas-warnings.ts'
import { createGasDeliveryOps } from './gas-deliveries.ts'
import { type OnCorrupt, logCorrupt } from './corrupt.ts'
import { createSampleReader } from './sample-reads.ts'
import { createBlockWriter, type SampleWriter } from './sample-blocks.ts'
import type { Db } from './db.ts'
import { createCompaction } from './compaction.ts'

export interface SqliteStoreOptions {
  /** The database file; created with its folder if missing. */
  file: string
  /** Over-limit evaluation run inside each batch transaction (cloud/alarms). */
  evaluate: PointEvaluator
  log: Logger
  /** Told after every committed alarm change (the live board's stream). */
  onAlarmChange?: (change: AlarmChange) => void
  /** The pushes a raise calls for, planned in the raise's transaction (absent: nobody is told). */
  planPushes?: PushPlanner
  /** Told of every historian chunk or block that does not decode (it is skipped); default: an error log line. */
  onCorrupt?: OnCorrupt
  /** Where ingest writes a batch's samples; default: one historian block per batch (sample-blocks.ts). The bench injects the row-per-sample layout to compare. */
  sampleWriter?: (db: Db) => SampleWriter
}

/** The engine works synchronously inside; its repositories answer with promises (a throw inside becomes a rejection). */
export const run = async <T>(fn: () => T): Promise<T> => fn()

/** The engine's statements and operations, shared by its repositories (cloud/store/sqlite/repos.ts). */
export function openParts(options: SqliteStoreOptions) {
  const db = openDatabase(options.file)
  const emit = (change: AlarmChange) => {
    try {
      options.onAlarmChange?.(change)
    } catch (err) {
      options.log.error({ err, change }, 'an alarm change listener failed')
    }
  }
  const deliveries = createDeliveryOps(db)
  // The outbox looks alarms up through alarmOps, which plans through the outbox: called lazily.
  const alarmOps = createAlarmOps(db, emit, (changes) => planInTx(changes))
  const planInTx = createPushOutbox({ planner: options.planPushes, alarm: (id) => alarmOps.get(id, 'all'), deliveries })
  const writer = (options.sampleWriter ?? createBlockWriter)(db)
  const ingest = createBatchIngest(db, options.evaluate, options.log, emit, planInTx, writer)
  const windowOps = createWindowOps(db)
  const alarmChanges = createAlarmChangeOps(db)
  const status = createStatusOps(db)
  const onCorrupt = options.onCorrupt ?? logCorrupt(options.log)
  const samples = createSampleReader(db, onCorrupt)
  const compaction = createCompaction(db, onCorrupt)
  const queries = createQueries(db, samples)
  const gapOps = createGapOps(db)
  const outboxOps = createOutboxOps(db)
  const lateOps = createLateOps(db)
  const cameraQueries = createCameraQueries(db)
  const cameraHistory = createCameraHistory(db)
  // Snapshot JPEGs next to the database: {dataDir}/snapshots.
  const files = openSnapshotFiles(path.join(path.dirname(path.resolve(options.file)), 'snapshots'))
  const historyOps = createHistoryOps(db, samples)
  const ownership = createOwnershipOps(db, emit, planInTx)
  const gasOps = createGasWarningOps(db)
  const gasDeliveries = createGasDeliveryOps(db)
  const authOps = createAuthOps(db)
  const auth = Object.fromEntries(
    Object.entries(authOps).map(([name, fn]) => [
      name,
      (...args: unknown[]) => run(() => (fn as (...a: unknown[]) => unknown)(...args)),
    ]),
  ) as unknown as AuthStore

  const registryOps = createRegistryOps(db)
  const registry = Object.fromEntries(
    Object.entries(registryOps).map(([name, fn]) => [
      name,
      (...args: unknown[]) => run(() => (fn as (...a: unknown[]) => unknown)(...args)),
    ]),
  ) as unknown as RegistryStore

  return {
    db,
    options,
    auth,
    registry,
    ingest,
    files,
    outboxOps,
    status,
    queries,
    historyOps,
    compaction,
    lateOps,
    alarmOps,
    alarmChanges,
    windowOps,
    deliveries,
    gapOps,
    cameraHistory,
    cameraQueries,
    ownership,
    gasOps,
    gasDeliveries,
  }
}

export type SqliteParts = ReturnType<typeof openParts>
