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
import type { OnCorrupt } from '../historian/corrupt.ts'
import type { TelemetryRepo } from '../repos/telemetry.ts'
import { compactSamples } from './compaction.ts'
import { pgHistoryReads } from './history.ts'
import { pgPointQueries } from './queries.ts'
import { pgSampleReader } from './sample-reads.ts'
import { listUnevaluated } from './unevaluated-reads.ts'

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

export function pgRegistryRepo(db: PgDb, options: PgRegistryRepoOptions): RegistryRepo {
  const emit = (change: AlarmChange) => {
    try {
      options.onAlarmChange?.(change)
    } catch (err) {
      options.log.error({ err, change }, 'an alarm change listener failed')
    }
  }
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
