import type { Logger } from 'pino'
import { overlayStep, workflowStep } from '../../alarms/engine/steps.ts'
import type { AlarmChange } from '../../alarms/model.ts'
import { mergeGaps } from '../gap-rows.ts'
import type { RegistryStore } from '../registry-store.ts'
import type { ReportStore } from '../report-store.ts'
import type { AlarmRepo } from '../repos/alarms.ts'
import { withBody } from '../camera-rows.ts'
import type { CameraRepo } from '../repos/cameras.ts'
import type { EdgeRepo } from '../repos/edges.ts'
import type { GapRepo } from '../repos/gaps.ts'
import type { OutboxRepo } from '../repos/outboxes.ts'
import type { RegistryRepo } from '../repos/registry.ts'
import { alarmChangeEntry, alarmChangesSince } from './alarm-changes.ts'
import { alarmTimelineOf, findAlarm, listAlarms } from './alarm-reads.ts'
import { type AlarmChangeSinks, noteAlarm, stepAlarm } from './alarms.ts'
import { openSnapshotFiles } from '../snapshot-files.ts'
import { pgCameraHistory } from './camera-history.ts'
import { pgCameraQueries } from './cameras.ts'
import type { RetentionRepo } from '../repos/retention.ts'
import type { DeliveryRepo } from '../repos/deliveries.ts'
import type { GasWarningRepo } from '../repos/gas-warnings.ts'
import type { WindowRepo } from '../repos/windows.ts'
import type { PgDb } from './db.ts'
import { pgEdgeOps } from './edges.ts'
import { listEdgeGaps, upsertGap } from './gaps.ts'
import { ackStates, listReplacements, setAckMark } from './outboxes.ts'
import { lockEdgeBatches } from './tx.ts'
import { ownershipFacts, recordSecurityEvent, type PgPlanInTx } from './ownership.ts'
import { applyRegistry } from './registry-apply.ts'
import { pgRegistryEntries } from './registry-entries.ts'
import { pgRegistryPoints } from './registry-points.ts'
import { pgReportOps } from './reports.ts'
import { raiseSystemAlarm, recoverSystemAlarm } from './system-alarms.ts'
import { applyPgRetention, recentPgRetentionRuns } from './retention.ts'
import { pgDeliveryOps } from './deliveries.ts'
import { pgGasWarningOps } from './gas-warnings.ts'
import { pgWindowOps } from './windows.ts'
import type { OnCorrupt } from '../historian/corrupt.ts'
import type { TelemetryRepo } from '../repos/telemetry.ts'
import { compactSamples } from './compaction.ts'
import { pgHistoryReads } from './history.ts'
import { pgPointQueries } from './queries.ts'
import { pgSampleReader } from './sample-reads.ts'
import { listUnevaluated } from './unevaluated-reads.ts'
import type { PointEvaluator } from '../../../shared/rules/evaluate.ts'
import { batchContentHash } from '../content-hash.ts'
import type { IngestRepo } from '../repos/ingest.ts'
import type { SnapshotFiles } from '../snapshot-files.ts'
import { takeSnapshots } from '../snapshot-intake.ts'
import type { PushPlanner } from '../store.ts'
import { linkCompletedSnapshot } from './snapshots.ts'
import { type BatchFence, createPgIngest } from './ingest.ts'
import { pgPushOutbox } from './push-outbox.ts'

export { pgAuthStore } from './auth.ts'
export { verifyAuditChain } from './audit-chain.ts'
export { linkCompletedSnapshot } from './snapshots.ts'

/**
 * The PostgreSQL engine's repositories (cloud/store/repos), one factory per aggregate, each over
 * one pool from openPostgres() (cloud/store/postgres/db.ts). The transaction pattern they share
 * is described in tx.ts. A whole Store is composed once every aggregate has its repository.
 */
export function pgRegistryStore(db: PgDb): RegistryStore {
  return { ...pgRegistryEntries(db), ...pgRegistryPoints(db) }
}

export interface PgRegistryRepoOptions {
  log: Logger
  /** Told after every committed alarm change (the live board's stream). */
  onAlarmChange?: (change: AlarmChange) => void
  /** The pushes an alarm change calls for, written in its transaction (the delivery ledger's; absent: nobody is told). */
  planInTx?: PgPlanInTx
}

/** Where a repository's alarm changes go: pushes in the change's transaction, listeners after it (a failing listener is logged). */
function alarmSinks(options: PgRegistryRepoOptions): AlarmChangeSinks {
  return {
    emit: (change) => {
      try {
        options.onAlarmChange?.(change)
      } catch (err) {
        options.log.error({ err, change }, 'an alarm change listener failed')
      }
    },
    planInTx: options.planInTx ?? (async () => {}),
  }
}

export function pgRegistryRepo(db: PgDb, options: PgRegistryRepoOptions): RegistryRepo {
  const sinks = alarmSinks(options)
  return {
    applyRegistry: (registry) => applyRegistry(db, registry),
    ownershipFacts: (edge, pointIds, cameraIds) => ownershipFacts(db, edge, pointIds, cameraIds),
    recordSecurityEvent: (event) => recordSecurityEvent(db, event, sinks),
  }
}

export function pgEdgeRepo(db: PgDb): EdgeRepo {
  return pgEdgeOps(db)
}

export function pgOutboxRepo(db: PgDb): OutboxRepo {
  return {
    setAckedThrough: (edge, through, outbox) => setAckMark(db, edge, outbox, through),
    // One edge's: under its batch lock, so a batch transaction still running (a replica that
    // lost the edge a moment ago) has committed or rolled back before the marks are read.
    loadAckStates: (edge) =>
      edge === undefined
        ? ackStates(db)
        : db.transaction(async (tx) => {
            await lockEdgeBatches(tx, edge)
            return ackStates(tx, edge)
          }),
  }
}

export function pgGapRepo(db: PgDb): GapRepo {
  return {
    listGaps: async (filter) =>
      mergeGaps(await listEdgeGaps(db, filter), await listReplacements(db, filter), filter.limit),
    // All of an answer's records or none.
    recordGaps: (edge, list, receivedAt) =>
      db.transaction(async (tx) => {
        for (const g of list) await upsertGap(tx, edge, g, receivedAt)
      }),
  }
}

/** Alarms and their timeline (the same options as the registry's: both write alarm changes). */
export type PgAlarmRepoOptions = PgRegistryRepoOptions

export function pgAlarmRepo(db: PgDb, options: PgAlarmRepoOptions): AlarmRepo {
  const sinks = alarmSinks(options)
  return {
    listAlarms: (filter) => listAlarms(db, filter),
    getAlarm: (id, scope) => findAlarm(db, id, scope),
    alarmTimeline: (id, scope) => alarmTimelineOf(db, id, scope),
    actOnAlarm: (id, action, now, scope) => stepAlarm(db, id, scope, (a) => workflowStep(a, action, now), sinks),
    overlayAlarm: (id, action, now, scope) => stepAlarm(db, id, scope, (a) => overlayStep(a, action, now), sinks),
    noteAlarm: (id, entry, facts) => noteAlarm(db, id, entry, facts, sinks),
    raiseSystemAlarm: (a) => raiseSystemAlarm(db, a, sinks),
    recoverSystemAlarm: (point, kind, ts, value) => recoverSystemAlarm(db, { point, kind, ts, value }, sinks),
    alarmChangesSince: (after, scope, limit, skip) => alarmChangesSince(db, after, scope, limit, skip),
    alarmChangeEntry: (change) => alarmChangeEntry(db, change),
  }
}

export function pgReportStore(db: PgDb): ReportStore {
  return pgReportOps(db)
}

export interface PgCameraRepoOptions {
  /**
   * Where the snapshot JPEGs are (cloud/store/snapshot-files.ts: `{dir}/{2 hex}/{id}.jpg`): the
   * database keeps their metadata only. SQLite keeps them beside its file (`{dataDir}/snapshots`);
   * on PostgreSQL the cloud names the directory (every cloud process sharing the database must
   * see the same one, e.g. a shared volume), and ingest writes there too.
   */
  snapshotsDir: string
}

export function pgCameraRepo(db: PgDb, options: PgCameraRepoOptions): CameraRepo {
  const files = openSnapshotFiles(options.snapshotsDir)
  const queries = pgCameraQueries(db)
  const history = pgCameraHistory(db)
  return {
    listCameras: (scope) => queries.list(scope),
    // An alarm outside the scope is unknown (null), as getAlarm has it.
    alarmSnapshots: (alarm, scope) => queries.alarmSnapshots(alarm, scope),
    getSnapshot: async (id, scope) => withBody(await queries.snapshot(id, scope), files),
    latestSnapshots: (scope) => history.latestSnapshots(scope),
    cameraStatusHistory: (range, scope) => history.statusHistory(range, scope),
  }
}

/** Retention by whole time partitions (retention.ts, partitions.ts); each run recorded in retention_runs. */
export function pgRetentionRepo(db: PgDb): RetentionRepo {
  return {
    applyRetention: (cutoffs, at) => applyPgRetention(db, cutoffs, at),
    listRetentionRuns: (limit) => recentPgRetentionRuns(db, limit),
  }
}

/** Maintenance windows: requests and decisions (what the ingest reads of them is the ingest's). */
export function pgWindowRepo(db: PgDb): WindowRepo {
  return pgWindowOps(db)
}

/** The alarms' push ledger: due pushes and their outcomes (rows are planned by the alarm writes). */
export function pgDeliveryRepo(db: PgDb): DeliveryRepo {
  return pgDeliveryOps(db)
}

/** Gas-leak warnings and their own push ledger. */
export function pgGasWarningRepo(db: PgDb): GasWarningRepo {
  return pgGasWarningOps(db)
}

export interface PgTelemetryRepoOptions {
  /** Told of every historian chunk or block that does not decode (it is skipped; cloud/store/historian/corrupt.ts). */
  onCorrupt: OnCorrupt
}

/** Points, history, buckets, completeness and compaction over the historian (issue 15), as SQLite answers them. */
export function pgTelemetryRepo(db: PgDb, { onCorrupt }: PgTelemetryRepoOptions): TelemetryRepo {
  const reader = pgSampleReader(db, onCorrupt)
  return {
    ...pgPointQueries(db, reader),
    ...pgHistoryReads(db, reader),
    listUnevaluated: (point, range) => listUnevaluated(db, point, range),
    compactSamples: (receivedBefore) => compactSamples(db, receivedBefore, onCorrupt),
  }
}

export interface PgIngestRepoOptions {
  log: Logger
  /** Over-limit evaluation run inside each batch transaction (cloud/alarms). */
  evaluate: PointEvaluator
  /** Told after every committed alarm change (the live board's stream). */
  onAlarmChange?: (change: AlarmChange) => void
  /** The pushes an alarm change calls for, planned in the batch's transaction (absent: nobody is told). */
  planPushes?: PushPlanner
  /** Where snapshot JPEGs are kept (cloud/store/snapshot-files.ts). */
  files: SnapshotFiles
  /** Several replicas (issue 16): checked in every batch transaction (ingest.ts BatchFence). */
  fence?: BatchFence
}

/** Data batches in (cloud/store/repos/ingest.ts): one transaction per call, serialized per edge (ingest.ts). */
export function pgIngestRepo(db: PgDb, options: PgIngestRepoOptions): IngestRepo {
  const ingest = createPgIngest(db, {
    ...(options.fence ? { fence: options.fence } : {}),
    evaluate: options.evaluate,
    log: options.log,
    emit: alarmSinks(options).emit,
    planInTx: pgPushOutbox(options.planPushes),
  })
  return {
    async ingestBatch(batch, meta) {
      // Hashed as sent, before a refused snapshot is taken out of it below.
      const hash = meta.hash ?? batchContentHash(batch)
      // Files first (idempotent), then the metadata in the batch's transaction.
      const taken = takeSnapshots(options.files, batch, options.log)
      const result = await ingest.ingest(taken.batch, { ...meta, inOrder: meta.inOrder ?? true, hash })
      // Split snapshots whose event came before their last part: linked now that they are whole.
      for (const p of taken.completed) await linkCompletedSnapshot(db, p, meta.receivedAt)
      return result
    },
    evaluateThrough: (edge, through, at, outbox) => ingest.evaluateThrough(edge, through, at, outbox),
  }
}
