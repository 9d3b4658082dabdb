import { withBody } from '../camera-rows.ts'
import { batchContentHash } from '../content-hash.ts'
import { mergeGaps } from '../gap-rows.ts'
import { takeSnapshots } from '../snapshot-intake.ts'
import type {
  AlarmRepo,
  CameraRepo,
  DeliveryRepo,
  EdgeRepo,
  GapRepo,
  GasWarningRepo,
  IngestRepo,
  OutboxRepo,
  RegistryRepo,
  TelemetryRepo,
  WindowRepo,
} from '../store.ts'
import { linkCompletedSnapshot } from './cameras.ts'
import { applyRegistry } from './registry.ts'
import { run, type SqliteParts } from './parts.ts'

/**
 * The SQLite engine's repositories (cloud/store/repos): each maps its interface onto the engine's
 * synchronous operations; a throw inside becomes a rejected promise.
 */
export function sqliteIngestRepo({ db, options, ingest, files }: SqliteParts): IngestRepo {
  return {
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
}

export function sqliteOutboxRepo({ outboxOps }: SqliteParts): OutboxRepo {
  return {
    setAckedThrough: (edge, through, outbox) => run(() => outboxOps.setMark(edge, outbox, through)),
    loadAckStates: (edge) => run(() => outboxOps.ackStates(edge)),
  }
}

export function sqliteEdgeRepo({ status, queries }: SqliteParts): EdgeRepo {
  return {
    recordBirth: (site, birth, seenAt) => run(() => status.recordBirth(site, birth, seenAt)),
    recordState: (site, state, seenAt) => run(() => status.recordState(site, state, seenAt)),
    recordDeath: (death, seenAt) => run(() => status.recordDeath(death, seenAt)),
    listEdges: () => run(() => queries.listEdges()),
    recordClockOffset: (edge, offsetMs, at) => run(() => status.recordClockOffset(edge, offsetMs, at)),
  }
}

export function sqliteTelemetryRepo({ queries, historyOps, lateOps, compaction }: SqliteParts): TelemetryRepo {
  return {
    listPoints: (filter) => run(() => queries.listPoints(filter)),
    getPoint: (id, scope) => run(() => queries.getPoint(id, scope)),
    history: (point, range, scope) => run(() => queries.history(point, range, scope)),
    historyPage: (point, range, scope) => run(() => historyOps.page(point, range, scope)),
    historyBuckets: (point, plan, scope) => run(() => historyOps.buckets(point, plan, scope)),
    completenessIntervals: (range, scope) => run(() => historyOps.intervals(range, scope)),
    listUnevaluated: (point, range) => run(() => lateOps.list(point, range)),
    commLossCandidates: () => run(() => queries.commLossCandidates()),
    compactSamples: (receivedBefore) => run(() => compaction.compact(receivedBefore)),
  }
}

export function sqliteAlarmRepo({ alarmOps, alarmChanges }: SqliteParts): AlarmRepo {
  return {
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
}

export function sqliteRegistryRepo({ db, ownership }: SqliteParts): RegistryRepo {
  return {
    applyRegistry: (registry) => run(() => applyRegistry(db, registry)),
    ownershipFacts: (edge, pointIds, cameraIds) => run(() => ownership.facts(edge, pointIds, cameraIds)),
    recordSecurityEvent: (event) => run(() => ownership.securityEvent(event)),
  }
}

export function sqliteWindowRepo({ windowOps }: SqliteParts): WindowRepo {
  return {
    listWindows: (filter) => run(() => windowOps.list(filter)),
    getWindow: (id, scope) => run(() => windowOps.get(id, scope)),
    requestWindow: (request, now, scope) => run(() => windowOps.request(request, now, scope)),
    decideWindow: (id, decision, now, scope) => run(() => windowOps.decide(id, decision, now, scope)),
  }
}

export function sqliteDeliveryRepo({ alarmOps, deliveries }: SqliteParts): DeliveryRepo {
  return {
    duePushes: (now, limit) => run(() => deliveries.due(now, limit)),
    // One process, rounds that never overlap: nothing to claim against (DeliveryRepo.claimPushes).
    claimPushes: (now, limit) => run(() => deliveries.due(now, limit)),
    recordPush: (id, outcome) => run(() => deliveries.record(id, outcome)),
    alarmDeliveries: (alarm, scope) => run(() => (alarmOps.get(alarm, scope) ? deliveries.forAlarm(alarm) : [])),
  }
}

export function sqliteGapRepo({ db, outboxOps, gapOps }: SqliteParts): GapRepo {
  return {
    listGaps: (filter) => run(() => mergeGaps(gapOps.list(filter), outboxOps.replacements(filter), filter.limit)),
    recordGaps: (edge, list, receivedAt) =>
      run(() =>
        db.transaction(() => list.forEach((g) => gapOps.upsert(edge, g, receivedAt)), { behavior: 'immediate' }),
      ),
  }
}

export function sqliteCameraRepo({ files, alarmOps, cameraQueries, cameraHistory }: SqliteParts): CameraRepo {
  return {
    listCameras: (scope) => run(() => cameraQueries.list(scope)),
    // An alarm outside the scope is unknown (null), as getAlarm has it.
    alarmSnapshots: (alarm, scope) =>
      run(() => (alarmOps.get(alarm, scope) ? cameraQueries.alarmSnapshots(alarm) : null)),
    getSnapshot: (id, scope) => run(() => withBody(cameraQueries.snapshot(id, scope), files)),
    latestSnapshots: (scope) => run(() => cameraHistory.latestSnapshots(scope)),
    cameraStatusHistory: (range, scope) => run(() => cameraHistory.statusHistory(range, scope)),
  }
}

export function sqliteGasWarningRepo({ db, gasOps, gasDeliveries }: SqliteParts): GasWarningRepo {
  const tx = <T>(fn: () => T) => db.transaction(fn, { behavior: 'immediate' })
  return {
    gasAreaOf: (point) => run(() => gasOps.areaOf(point)),
    gasAlarmFacts: (area, since) => run(() => gasOps.facts(area, since)),
    openGasWarning: (area) => run(() => gasOps.open(area)),
    openGasWarnings: () => run(() => gasOps.allOpen()),
    insertGasWarning: (warning, pushes = []) =>
      run(() =>
        tx(() => {
          const w = gasOps.insert(warning)
          gasDeliveries.enqueue(w.id, pushes)
          return w
        }),
      ),
    saveGasWarning: (warning, pushes = []) =>
      run(() =>
        tx(() => {
          gasOps.save(warning)
          gasDeliveries.enqueue(warning.id, pushes)
        }),
      ),
    dueGasPushes: (now, limit) => run(() => gasDeliveries.due(now, limit)),
    claimGasPushes: (now, limit) => run(() => gasDeliveries.due(now, limit)),
    recordGasPush: (id, outcome) => run(() => gasDeliveries.record(id, outcome)),
    gasWarningDeliveries: (id, scope) => run(() => (gasOps.get(id, scope) ? gasDeliveries.forWarning(id) : null)),
    getGasWarning: (id, scope) => run(() => gasOps.get(id, scope)),
    listGasWarnings: (filter) => run(() => gasOps.list(filter)),
  }
}
