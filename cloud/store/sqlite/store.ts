import { sql } from 'drizzle-orm'
import type { Logger } from 'pino'
import type { PointEvaluator } from '../../../shared/rules/evaluate.ts'
import type { AlarmChange, AlarmRepo, CameraRepo, DeliveryRepo, EdgeRepo, GapRepo, IngestRepo, OutboxRepo, PushPlanner, RegistryRepo, Store, TelemetryRepo, WindowRepo } from '../store.ts'
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
import { createGapOps, mergeGaps } from './gaps.ts'
import { createLateOps } from './late.ts'
import { createOutboxOps } from './outboxes.ts'
import { batchContentHash } from '../content-hash.ts'
import { createHistoryOps } from './history.ts'
import { applyRegistry } from './registry.ts'
import { createRegistryOps } from './registry-crud.ts'
import type { RegistryStore } from '../registry-store.ts'
import { createStatusOps } from './status.ts'
import path from 'node:path'
import { createCameraQueries, linkCompletedSnapshot } from './cameras.ts'
import { openSnapshotFiles } from '../snapshot-files.ts'
import { takeSnapshots } from '../snapshot-intake.ts'
import { createOwnershipOps } from './ownership.ts'

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
}

/**
 * The embedded store: one better-sqlite3 connection, everything synchronous inside, exposed
 * through the asynchronous Store interface. A throw inside becomes a rejected promise.
 */
export function openSqliteStore(options: SqliteStoreOptions): Store {
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
  const ingest = createBatchIngest(db, options.evaluate, options.log, emit, planInTx)
  const windowOps = createWindowOps(db)
  const alarmChanges = createAlarmChangeOps(db)
  const status = createStatusOps(db)
  const queries = createQueries(db)
  const gapOps = createGapOps(db)
  const outboxOps = createOutboxOps(db)
  const lateOps = createLateOps(db)
  const cameraQueries = createCameraQueries(db)
  // Snapshot JPEGs next to the database: {dataDir}/snapshots.
  const files = openSnapshotFiles(path.join(path.dirname(path.resolve(options.file)), 'snapshots'))
  const historyOps = createHistoryOps(db)
  const ownership = createOwnershipOps(db, emit, planInTx)
  const run = async <T>(fn: () => T): Promise<T> => fn()
  const authOps = createAuthOps(db)
  const auth = Object.fromEntries(Object.entries(authOps).map(([name, fn]) => [name, (...args: unknown[]) => run(() => (fn as (...a: unknown[]) => unknown)(...args))])) as unknown as AuthStore

  const registryOps = createRegistryOps(db)
  const registry = Object.fromEntries(Object.entries(registryOps).map(([name, fn]) => [name, (...args: unknown[]) => run(() => (fn as (...a: unknown[]) => unknown)(...args))])) as unknown as RegistryStore

  const ingestRepo: IngestRepo = {
    ingestBatch: (batch, meta) =>
      run(() => {
        // Hashed as sent, before a refused snapshot is taken out of it below.
        const hash = meta.hash ?? batchContentHash(batch)
        // Files first (idempotent), then the metadata in the batch's transaction.
        const taken = takeSnapshots(files, batch, options.log)
        const result = ingest.ingest(taken.batch, { ...meta, inOrder: meta.inOrder ?? true, hash })
        // Split snapshots whose event came before their last part: linked now that they are whole.
        for (const p of taken.completed) linkCompletedSnapshot(db, p, meta.receivedAt)
        return result
      }),
    evaluateThrough: (edge, through, at, outbox) => run(() => ingest.evaluateThrough(edge, through, at, outbox)),
  }
  const outboxesRepo: OutboxRepo = {
    setAckedThrough: (edge, through, outbox) => run(() => outboxOps.setMark(edge, outbox, through)),
    loadAckStates: () => run(() => outboxOps.ackStates()),
  }
  const edgesRepo: EdgeRepo = {
    recordBirth: (site, birth, seenAt) => run(() => status.recordBirth(site, birth, seenAt)),
    recordState: (site, state, seenAt) => run(() => status.recordState(site, state, seenAt)),
    recordDeath: (death, seenAt) => run(() => status.recordDeath(death, seenAt)),
    listEdges: () => run(() => queries.listEdges()),
    recordClockOffset: (edge, offsetMs, at) => run(() => status.recordClockOffset(edge, offsetMs, at)),
  }
  const telemetryRepo: TelemetryRepo = {
    listPoints: (filter) => run(() => queries.listPoints(filter)),
    getPoint: (id, scope) => run(() => queries.getPoint(id, scope)),
    history: (point, range, scope) => run(() => queries.history(point, range, scope)),
    historyPage: (point, range, scope) => run(() => historyOps.page(point, range, scope)),
    historyBuckets: (point, plan, scope) => run(() => historyOps.buckets(point, plan, scope)),
    completenessIntervals: (range, scope) => run(() => historyOps.intervals(range, scope)),
    listUnevaluated: (point, range) => run(() => lateOps.list(point, range)),
    commLossCandidates: () => run(() => queries.commLossCandidates()),
  }
  const alarmsRepo: AlarmRepo = {
    listAlarms: (filter) => run(() => alarmOps.list(filter)),
    getAlarm: (id, scope) => run(() => alarmOps.get(id, scope)),
    alarmTimeline: (id, scope) => run(() => alarmOps.timeline(id, scope)),
    actOnAlarm: (id, action, now, scope) => run(() => alarmOps.act(id, action, now, scope)),
    overlayAlarm: (id, action, now, scope) => run(() => alarmOps.overlay(id, action, now, scope)),
    noteAlarm: (id, entry, facts) => run(() => alarmOps.note(id, entry, facts)),
    raiseSystemAlarm: (a) => run(() => alarmOps.raiseSystem(a)),
    recoverSystemAlarm: (point, kind, ts, value) => run(() => alarmOps.recoverSystem(point, kind, ts, value)),
    alarmChangesSince: (after, scope, limit, skip) => run(() => alarmChanges.since(after, scope, limit, skip)),
    alarmChangeEntry: (change) => run(() => alarmChanges.entryOf(change)),
  }
  const registryRepo: RegistryRepo = {
    applyRegistry: (registry) => run(() => applyRegistry(db, registry)),
    ownershipFacts: (edge, pointIds, cameraIds) => run(() => ownership.facts(edge, pointIds, cameraIds)),
    recordSecurityEvent: (event) => run(() => ownership.securityEvent(event)),
  }
  const windowsRepo: WindowRepo = {
    listWindows: (filter) => run(() => windowOps.list(filter)),
    getWindow: (id, scope) => run(() => windowOps.get(id, scope)),
    requestWindow: (request, now, scope) => run(() => windowOps.request(request, now, scope)),
    decideWindow: (id, decision, now, scope) => run(() => windowOps.decide(id, decision, now, scope)),
  }
  const deliveryRepo: DeliveryRepo = {
    duePushes: (now, limit) => run(() => deliveries.due(now, limit)),
    recordPush: (id, outcome) => run(() => deliveries.record(id, outcome)),
    alarmDeliveries: (alarm, scope) => run(() => (alarmOps.get(alarm, scope) ? deliveries.forAlarm(alarm) : [])),
  }
  const gapsRepo: GapRepo = {
    listGaps: (filter) => run(() => mergeGaps(gapOps.list(filter), outboxOps.replacements(filter), filter.limit)),
    recordGaps: (edge, list, receivedAt) => run(() => db.transaction(() => list.forEach((g) => gapOps.upsert(edge, g, receivedAt)), { behavior: 'immediate' })),
  }
  const camerasRepo: CameraRepo = {
    listCameras: (scope) => run(() => cameraQueries.list(scope)),
    // An alarm outside the scope is unknown (null), as getAlarm has it.
    alarmSnapshots: (alarm, scope) => run(() => (alarmOps.get(alarm, scope) ? cameraQueries.alarmSnapshots(alarm) : null)),
    getSnapshot: (id, scope) =>
      run(() => {
        const snapshot = cameraQueries.snapshot(id, scope)
        const body = snapshot ? files.read(id) : null
        return snapshot && body ? { snapshot, body } : null
      }),
  }
  return {
    auth,
    registry,
    ping: () => run(() => void db.get(sql`select 1`)),
    close: () =>
      run(() => {
        if (db.$client.open) db.$client.close()
      }),
    ...ingestRepo,
    ...outboxesRepo,
    ...edgesRepo,
    ...telemetryRepo,
    ...alarmsRepo,
    ...registryRepo,
    ...windowsRepo,
    ...deliveryRepo,
    ...gapsRepo,
    ...camerasRepo,
  }
}
