import type { AlarmChange, AlarmRecord } from '../alarms/model.ts'
import type { PlannedPush } from '../notify/plan.ts'
import type { AuthStore } from './auth-store.ts'
import type { ReportStore } from './report-store.ts'
import type { RegistryStore } from './registry-store.ts'
import type { IngestRepo } from './repos/ingest.ts'
import type { OutboxRepo } from './repos/outboxes.ts'
import type { EdgeRepo } from './repos/edges.ts'
import type { TelemetryRepo } from './repos/telemetry.ts'
import type { AlarmRepo } from './repos/alarms.ts'
import type { RegistryRepo } from './repos/registry.ts'
import type { WindowRepo } from './repos/windows.ts'
import type { DeliveryRepo } from './repos/deliveries.ts'
import type { GapRepo } from './repos/gaps.ts'
import type { CameraRepo } from './repos/cameras.ts'
import type { GasWarningRepo } from './repos/gas-warnings.ts'
import type { BundleRepo } from './repos/bundles.ts'
import type { RetentionRepo } from './repos/retention.ts'

export type { Scope } from '../auth/roles.ts'
export type {
  AlarmActOutcome,
  AlarmChange,
  AlarmKind,
  AlarmRecord,
  SystemAlarmKind,
  TimelineChange,
} from '../alarms/model.ts'
export type { IngestRepo, IngestMeta, IngestResult } from './repos/ingest.ts'
export type { OutboxRepo } from './repos/outboxes.ts'
export type { EdgeRepo, EdgeRecord, BirthOutcome } from './repos/edges.ts'
export type {
  TelemetryRepo,
  PointFilter,
  PointRecord,
  CompactionResult,
  HistoryCursor,
  StoredSample,
  UnevaluatedRecord,
} from './repos/telemetry.ts'
export type { AlarmRepo, AlarmFilter } from './repos/alarms.ts'
export type { RegistryRepo, EdgeBinding, Owner, OwnershipFacts, SecurityEvent } from './repos/registry.ts'
export type { WindowRepo, WindowRequest, WindowDecision, MaintenanceWindow, WindowOutcome } from './repos/windows.ts'
export type { DeliveryRepo, Delivery, DeliveryOutcome } from './repos/deliveries.ts'
export type { GapRepo, GapFilter, EdgeGap, OutboxReplacedGap, StoredGap } from './repos/gaps.ts'
export type { CameraRepo, CameraRecord, CameraStatusEvent, SnapshotRecord } from './repos/cameras.ts'
export type { GasWarningRepo, GasArea, GasDelivery } from './repos/gas-warnings.ts'
export type { BundleRepo, BundleState, BundleAnswer } from './repos/bundles.ts'
export type { RetentionRepo } from './repos/retention.ts'
export type { AuthStore as AuthRepo } from './auth-store.ts'

/**
 * Who is told about an alarm change, how and when: notification policy (cloud/notify/plan.ts),
 * injected into the store so the plan is written in the change's own transaction (issue 14).
 */
export type PushPlanner = (alarm: AlarmRecord, change: AlarmChange) => readonly PlannedPush[]

/**
 * What ingest and the API need from storage, composed of one narrow repository per aggregate
 * (cloud/store/repos/*.ts); an engine (cloud/store/sqlite/ today) implements the repositories
 * and nothing else: alarm policy is the alarm engine's (cloud/alarms/engine, pure), and every
 * engine passes the store conformance suite (test/conformance/store.suite.ts). Asynchronous so
 * a PostgreSQL engine fits behind it; the SQLite one runs synchronously inside. All times are
 * epoch milliseconds.
 *
 * Enterprise scoping lives here, in the data layer (brief §7): every read or action on points,
 * samples, alarms and maintenance windows takes a `scope` ('all', or one enterprise) and filters
 * by it in the query, so a handler that forgets to check still cannot show another enterprise's
 * rows; a row outside the scope is reported as not existing.
 */
export interface Store
  extends IngestRepo,
    OutboxRepo,
    EdgeRepo,
    TelemetryRepo,
    AlarmRepo,
    RegistryRepo,
    WindowRepo,
    DeliveryRepo,
    GapRepo,
    CameraRepo,
    GasWarningRepo,
    BundleRepo,
    RetentionRepo {
  /** Accounts, sessions, API keys and the audit log. */
  readonly auth: AuthStore
  /** Enterprises, hazard sources, areas and points' registry fields, edited through the API. */
  readonly registry: RegistryStore
  /** Report reads and the catalog of generated reports (cloud/reports/). */
  readonly reports: ReportStore
  /** The park plan image the wall draws over (issue 17), a file next to the database. */
  readonly plan: import('./plan-image-files.ts').PlanImageFiles

  /** Cheap round trip to the database, for the health check. */
  ping(): Promise<void>
  close(): Promise<void>
}
