import type { Logger } from 'pino'
import type { AlarmChange } from '../../alarms/model.ts'
import { mergeGaps } from '../gap-rows.ts'
import type { RegistryStore } from '../registry-store.ts'
import type { EdgeRepo } from '../repos/edges.ts'
import type { GapRepo } from '../repos/gaps.ts'
import type { OutboxRepo } from '../repos/outboxes.ts'
import type { RegistryRepo } from '../repos/registry.ts'
import type { PgDb } from './db.ts'
import { pgEdgeOps } from './edges.ts'
import { listEdgeGaps, upsertGap } from './gaps.ts'
import { ackStates, listReplacements, setAckMark } from './outboxes.ts'
import { ownershipFacts, recordSecurityEvent, type PgPlanInTx } from './ownership.ts'
import { applyRegistry } from './registry-apply.ts'
import { pgRegistryEntries } from './registry-entries.ts'
import { pgRegistryPoints } from './registry-points.ts'
import type { PointEvaluator } from '../../../shared/rules/evaluate.ts'
import { batchContentHash } from '../content-hash.ts'
import type { IngestRepo } from '../repos/ingest.ts'
import type { SnapshotFiles } from '../snapshot-files.ts'
import { takeSnapshots } from '../snapshot-intake.ts'
import type { PushPlanner } from '../store.ts'
import { linkCompletedSnapshot } from './camera-events.ts'
import { createPgIngest } from './ingest.ts'
import { pgPushOutbox } from './push-outbox.ts'

export { pgAuthStore } from './auth.ts'
export { verifyAuditChain } from './audit-chain.ts'

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

/** The alarm change listener, told after each commit; a listener that throws is logged, never undoes the commit. */
const listenerOf =
  (options: { log: Logger; onAlarmChange?: (change: AlarmChange) => void }) => (change: AlarmChange) => {
    try {
      options.onAlarmChange?.(change)
    } catch (err) {
      options.log.error({ err, change }, 'an alarm change listener failed')
    }
  }

export function pgRegistryRepo(db: PgDb, options: PgRegistryRepoOptions): RegistryRepo {
  const emit = listenerOf(options)
  const planInTx: PgPlanInTx = options.planInTx ?? (async () => {})
  return {
    applyRegistry: (registry) => applyRegistry(db, registry),
    ownershipFacts: (edge, pointIds, cameraIds) => ownershipFacts(db, edge, pointIds, cameraIds),
    recordSecurityEvent: (event) => recordSecurityEvent(db, event, { emit, planInTx }),
  }
}

export function pgEdgeRepo(db: PgDb): EdgeRepo {
  return pgEdgeOps(db)
}

export function pgOutboxRepo(db: PgDb): OutboxRepo {
  return {
    setAckedThrough: (edge, through, outbox) => setAckMark(db, edge, outbox, through),
    loadAckStates: () => ackStates(db),
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
}

/** Data batches in (cloud/store/repos/ingest.ts): one transaction per call, serialized per edge (ingest.ts). */
export function pgIngestRepo(db: PgDb, options: PgIngestRepoOptions): IngestRepo {
  const ingest = createPgIngest(db, {
    evaluate: options.evaluate,
    log: options.log,
    emit: listenerOf(options),
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
