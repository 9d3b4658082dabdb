import type { RegistryStore } from './registry-store.ts'
import type { PointClass, Priority } from '../../shared/rules/priority.ts'
import type { ThresholdLimits } from '../../shared/rules/threshold.ts'
import type { Quality } from '../../shared/quality.ts'
import type { DataBatch, DriverReport, OutboxReport, PointRange, SourceLimits, StatusBirth, StatusDeath, StatusState } from '../../shared/wire/messages.ts'
import type { Value } from '../../shared/wire/sample.ts'
import type { GapRecord } from '../../shared/wire/gap.ts'
import type { EdgeAckState } from '../ingest/ack-tracker.ts'
import type { Registry } from '../config.ts'
import type { Action, DisposalFacts, TimelineEntry } from '../alarms/workflow.ts'
import type { AlarmActOutcome, AlarmChange, AlarmKind, AlarmRecord, IsaAction, SystemAlarmKind, TimelineChange } from '../alarms/model.ts'
import type { PlannedPush } from '../notify/plan.ts'
import type { Scope } from '../auth/roles.ts'
import type { AuthStore } from './auth-store.ts'

export type { Scope }
export type { AlarmActOutcome, AlarmChange, AlarmKind, AlarmRecord, SystemAlarmKind, TimelineChange }

/**
 * What ingest and the API need from storage. Asynchronous so a PostgreSQL implementation fits
 * behind it; the SQLite one (cloud/store/sqlite/) runs synchronously inside. All times are epoch
 * milliseconds.
 *
 * Enterprise scoping lives here, in the data layer (brief §7): every read or action on points,
 * samples, alarms and maintenance windows takes a `scope` ('all', or one enterprise) and filters
 * by it in SQL, so a handler that forgets to check still cannot show another enterprise's rows;
 * a row outside the scope is reported as not existing.
 */
/**
 * Who is told about an alarm change, how and when: notification policy (cloud/notify/plan.ts),
 * injected into the store so the plan is written in the change's own transaction (issue 14).
 */
export type PushPlanner = (alarm: AlarmRecord, change: AlarmChange) => readonly PlannedPush[]

export interface Store {
  /** Accounts, sessions, API keys and the audit log. */
  readonly auth: AuthStore
  /** Enterprises, hazard sources, areas and points' registry fields, edited through the API. */
  readonly registry: RegistryStore
  /**
   * Stores one data batch in ONE transaction: the batch row (unique (edge, outbox, seq), with a
   * hash of its content), its samples, the latest value of each point (only when newer), rule
   * evaluation, alarm rows and rule state. An (edge, outbox, seq) already stored with the same
   * content is a duplicate, with other content a conflict: nothing else is written.
   */
  ingestBatch(batch: DataBatch, meta: IngestMeta): Promise<IngestResult>
  /**
   * Rules run over each outbox's batches in seq order. A batch stored with `inOrder: false` (it
   * arrived ahead of a gap) is evaluated here, in seq order, once the contiguous mark passes it.
   */
  evaluateThrough(edge: string, through: number, at: number, outbox: string): Promise<IngestResult>
  /** Persists the contiguous-ack mark of one outbox of the edge (never lowers it). */
  setAckedThrough(edge: string, through: number, outbox: string): Promise<void>
  /** Every (edge, outbox) mark and the batches stored above it, to rebuild the ack tracker. */
  loadAckStates(): Promise<EdgeAckState[]>

  /** birth: edge online with this session; points announced (registry fields untouched). */
  recordBirth(site: string, birth: StatusBirth, seenAt: number): Promise<BirthOutcome>
  /**
   * state: heartbeat. Adopts the session when it differs (the birth was missed); ignored when
   * it names the stored session after that session's death (a straggler must not revive it).
   */
  recordState(site: string, state: StatusState, seenAt: number): Promise<{ adopted: boolean; ignored: boolean }>
  /** death: offline ONLY when it names the stored session. */
  recordDeath(death: StatusDeath, seenAt: number | null): Promise<{ applied: boolean; storedSession: string | null }>

  /** Makes the store's enterprises and registry fields of points equal to the registry. */
  applyRegistry(registry: Registry): Promise<{ points: number; enterprises: number; unregistered: number }>

  listEdges(): Promise<EdgeRecord[]>
  /** Points in scope, optionally of one enterprise, hazard source, area or alarm-unit class. */
  listPoints(filter: PointFilter): Promise<PointRecord[]>
  getPoint(id: string, scope: Scope): Promise<PointRecord | null>
  /** Samples of a point with from ≤ ts ≤ to, ascending by ts, at most `limit`. */
  history(point: string, range: { from: number; to: number; limit: number }, scope: Scope): Promise<StoredSample[]>
  /** One page of samples with from ≤ ts ≤ to, after the cursor, ascending; `next` when more follow. */
  historyPage(point: string, range: { from: number; to: number; limit: number; after?: HistoryCursor }, scope: Scope): Promise<{ samples: StoredSample[]; next: HistoryCursor | null }>
  /** min/max/avg/last/count of good samples per bucket of [from, to) (only buckets with samples). */
  historyBuckets(point: string, plan: { from: number; to: number; step: number }, scope: Scope): Promise<import('../telemetry/buckets.ts').BucketRow[]>
  /** Per registered point in scope: the intervals of [from, to) that had a good sample (data completeness). */
  completenessIntervals(range: { from: number; to: number; step: number }, scope: Scope): Promise<import('../telemetry/completeness.ts').PointIntervals[]>
  /** Newest first. */
  listAlarms(filter: AlarmFilter): Promise<AlarmRecord[]>
  getAlarm(id: number, scope: Scope): Promise<AlarmRecord | null>
  /** Every step of an alarm, oldest first; null for an unknown alarm. */
  alarmTimeline(id: number, scope: Scope): Promise<TimelineEntry[] | null>
  /** A person's step in the park's workflow (cloud/alarms/workflow.ts), checked against the alarm's state. */
  actOnAlarm(id: number, action: Action, now: number, scope: Scope): Promise<AlarmActOutcome>
  /** Shelve, unshelve, take out of or return to service (ISA-18.2), or a shelve's expiry. */
  overlayAlarm(id: number, action: IsaAction | { type: 'shelve_expired' }, now: number, scope: Scope): Promise<AlarmActOutcome>
  /** Comm-loss alarms (raised and recovered by a watcher, not by samples). Raise is a no-op while one is active. */
  raiseSystemAlarm(a: { point: string; kind: SystemAlarmKind; priority: Priority; ts: number; value: number; limit: number }): Promise<boolean>
  recoverSystemAlarm(point: string, kind: SystemAlarmKind, ts: number, value: number): Promise<boolean>
  /** Registered points with their newest good sample time (for the comm-loss watcher). */
  commLossCandidates(): Promise<Array<{ id: string; class: PointClass | null; lastGoodTs: number | null; edge: string | null }>>
  /** Changes of visible alarms after timeline entry `after`, oldest first (the stream's resume); `skip`: actions not streamed. */
  alarmChangesSince(after: number, scope: Scope, limit: number, skip: readonly string[]): Promise<TimelineChange[]>
  /** The timeline entry id a live change was written as, if it was. */
  alarmChangeEntry(change: AlarmChange): Promise<number | null>
  /** A system step (re-contact reminder, overdue) and the facts it changes. */
  noteAlarm(id: number, entry: TimelineEntry, facts: DisposalFacts): Promise<void>

  /** Maintenance windows (故障点位申请): an enterprise requests, the park decides. */
  listWindows(filter: { scope: Scope; status?: MaintenanceWindow['status']; enterprise?: string }): Promise<MaintenanceWindow[]>
  getWindow(id: number, scope: Scope): Promise<MaintenanceWindow | null>
  requestWindow(request: WindowRequest, now: number, scope: Scope): Promise<WindowOutcome>
  decideWindow(id: number, decision: WindowDecision, now: number, scope: Scope): Promise<WindowOutcome>

  /** Notification pushes: planned with the alarm's raise (PushPlanner), dispatched when due, every attempt recorded. */
  duePushes(now: number, limit: number): Promise<Delivery[]>
  recordPush(id: number, outcome: DeliveryOutcome): Promise<void>
  alarmDeliveries(alarm: number, scope: Scope): Promise<Delivery[]>

  /** Samples of a point stored but not evaluated (late, clock_skew), overlapping [from, to], newest first. */
  listUnevaluated(point: string, range: { from: number; to: number; limit: number }): Promise<UnevaluatedRecord[]>
  /** The edge's clock offset as last estimated (cloud/ingest/clock-offset.ts). */
  recordClockOffset(edge: string, offsetMs: number, at: number): Promise<void>

  /** Data the edges dropped before the cloud stored it (gap records, replaced outboxes), newest first. */
  listGaps(filter: GapFilter): Promise<StoredGap[]>
  /** Gap records an edge named outside a batch (its answer to a resend request); a narrower version never replaces a wider one. */
  recordGaps(edge: string, gaps: readonly GapRecord[], receivedAt: number): Promise<void>
  /** Cameras (registry entries from births, online state from their status events). */
  listCameras(scope: Scope): Promise<CameraRecord[]>
  /** Snapshots linked to an alarm, oldest first; null for an unknown alarm. */
  alarmSnapshots(alarm: number, scope: Scope): Promise<SnapshotRecord[] | null>
  /** A snapshot's metadata and its JPEG; null when unknown or its file is gone. */
  getSnapshot(id: string, scope: Scope): Promise<{ snapshot: SnapshotRecord; body: Buffer } | null>

  /** Who owns what (issue 13): the edge's registry binding and the edge each point and camera is bound to (null: none; absent: unknown). */
  ownershipFacts(edge: string, points: readonly string[], cameras: readonly string[]): Promise<OwnershipFacts>
  /** An edge sent what it does not own: a SECURITY alarm on `edge:{id}` (or a step on its open one) and an audit entry. */
  recordSecurityEvent(event: SecurityEvent): Promise<{ alarm: number; raised: boolean }>

  /** Cheap round trip to the database, for the health check. */
  ping(): Promise<void>
  close(): Promise<void>
}

export interface IngestMeta {
  site: string
  receivedAt: number
  /** The batch's content hash as the edge sent it (cloud/store/content-hash.ts); absent: hashed here. */
  hash?: string
  inOrder?: boolean
  ackedThrough?: number
  /**
   * The cloud's verdict on whether the batch's alarm changes are history (not notified), when
   * it differs from the edge's `historical` mark (cloud/ingest/time-check.ts). Absent: the mark.
   */
  historical?: boolean
}

/** An edge's registry entry (issue 13): its one site, its enterprise (null: the park), its own claim policy (null: the config's). */
export interface EdgeBinding {
  id: string
  site: string
  enterprise: string | null
  claim: 'strict' | 'open' | null
}

export interface Owner {
  edge: string | null
  enterprise: string | null
}

export interface OwnershipFacts {
  /** null: the edge is not in the registry. */
  edge: EdgeBinding | null
  /** Point id → the edge it is bound to (null: none yet) and its registry enterprise; a point not in the map is unknown. */
  points: Map<string, Owner>
  cameras: Map<string, Owner>
}

export interface SecurityEvent {
  edge: string
  /** The counted reason (cloud/metrics.ts RefusedReasons) and its stable error code. */
  reason: string
  code: string
  /** The refused point or camera ids. */
  items: readonly string[]
  at: number
  priority: Priority
}

export interface GapFilter {
  edge?: string
  /** Gaps whose point set holds this point (or is "all"). */
  point?: string
  /** Gaps overlapping [from, to] (source time, epoch ms). */
  from?: number
  to?: number
  limit: number
}

/** A gap record as stored (shared/wire/gap.ts), with its edge and when it reached the cloud. */
export interface EdgeGap extends GapRecord {
  edge: string
  receivedAt: number
}

/**
 * An edge came with a new outbox (disk replaced, file deleted, corrupt file moved aside): what
 * the old one still held unsent is lost, in an amount nobody can know (batches, samples and
 * throughSeq null). `from`–`to`: from the newest sample the cloud had of the old outbox to when it
 * first saw the new one; every point of the edge ("all").
 */
export interface OutboxReplacedGap {
  edge: string
  reason: 'outbox_replaced'
  oldOutbox: string
  newOutbox: string
  /** The last seq and the newest sample time the cloud had from the old outbox (null: none). */
  lastSeq: number | null
  lastTs: number | null
  fromSeq: number | null
  throughSeq: null
  batches: null
  samples: null
  from: number
  to: number
  points: 'all'
  /** When the cloud first saw the new outbox (its clock); receivedAt the same. */
  at: number
  receivedAt: number
}

export type StoredGap = EdgeGap | OutboxReplacedGap

export interface IngestResult {
  duplicate: boolean
  /**
   * Set when (edge, outbox, seq) is stored with other content (SHA-256 of samples, alarms and
   * events: cloud/store/content-hash.ts): not a resend. Nothing was written; it must not be acked.
   */
  conflict?: { storedHash: string; hash: string }
  samples: number
  raised: number
  recovered: number
  /** Samples older than their point's last evaluated one: stored, not evaluated (traced: listUnevaluated). */
  stale: number
  /** Samples the rules did not evaluate, by reason (traced per point: listUnevaluated); absent: none. */
  unevaluated?: Record<UnevaluatedRecord['reason'], number>
  /** Raises not made because an approved maintenance window covered them. */
  suppressed: number
  /** Alarm changes the edge sent: matched to the cloud's own episode, or not (limits differ?). */
  edgeAlarms: { matched: number; unmatched: number }
  /** Stored but not evaluated yet: it arrived ahead of a gap in the edge's seqs. */
  deferred?: boolean
}

export interface EdgeRecord {
  id: string
  site: string
  session: string | null
  /** As last reported by status messages; staleness is applied by the reader. */
  online: boolean
  lastSeen: number | null
  /** The mark of the edge's current outbox. */
  ackedThrough: number
  /** The id of the edge's current outbox (its newest batch's), null before it named one. */
  outboxId: string | null
  outbox: OutboxReport | null
  configHash: string | null
  drivers: DriverReport[]
  /** The edge's clock minus the cloud's, ms (cloud/ingest/clock-offset.ts); null until estimated. */
  clockOffsetMs?: number | null
  clockCheckedAt?: number | null
}

/** Samples of a point the rules did not evaluate (cloud/store/sqlite/late.ts), per batch and reason. */
export interface UnevaluatedRecord {
  point: string
  edge: string
  seq: number
  reason: 'late' | 'clock_skew' | 'replay_overlap'
  samples: number
  from: number
  to: number
  /** The point's evaluated state was at this source time (late samples are older). */
  evaluatedThrough: number | null
  receivedAt: number
}

/** What a birth changed beyond presence: limits adopted from the source for `limitsFromSource` points. */
export interface BirthOutcome {
  limitsAdopted: Array<{ point: string; from: ThresholdLimits | null; to: ThresholdLimits }>
  limitsRefused: Array<{ point: string; problem: string }>
}

export interface PointFilter {
  scope: Scope
  enterprise?: string
  hazardSource?: string
  area?: string
  class?: PointClass
}

export interface PointRecord {
  id: string
  name: string | null
  unit: string | null
  device: string | null
  enterprise: string | null
  class: PointClass | null
  /** The registry's hazard source and area of the point (ids), where set. */
  hazardSource: string | null
  area: string | null
  edge: string | null
  limits: ThresholdLimits | null
  /** Where `limits` come from: the registry, or the source (control room) for limitsFromSource points. */
  limitsFrom: 'registry' | 'source'
  /** As the source announced them in the edge's birth. */
  range: PointRange | null
  sourceLimits: SourceLimits | null
  registered: boolean
  latest: StoredSample | null
}

/** Where a page of raw history ended: the last sample's time and row. */
export interface HistoryCursor {
  ts: number
  row: number
}

export interface StoredSample {
  ts: number
  value: Value
  quality: Quality
  reason?: string
}

export interface Delivery {
  id: number
  alarm: number
  recipient: string
  channel: 'webhook' | 'sms'
  n: number
  dueAt: number
  nextAt: number
  attempts: number
  status: 'pending' | 'sent' | 'failed' | 'skipped'
  lastError: string | null
  doneAt: number | null
  reason: 'alarm' | 'overdue'
}

export interface DeliveryOutcome {
  status: Delivery['status']
  attempts: number
  at: number
  error?: string
  /** pending: when to try again. */
  nextAt?: number
}

export interface WindowRequest {
  enterprise: string
  points?: string[]
  /** Device ids (as edges announce them): all their points of this enterprise. */
  devices?: string[]
  from: number
  to: number
  reason: string
  by: string
}

export interface WindowDecision {
  decision: 'approve' | 'reject' | 'cancel'
  by: string
  note?: string
}

export interface MaintenanceWindow {
  id: number
  enterprise: string
  points: string[]
  from: number
  to: number
  reason: string
  requestedBy: string
  requestedAt: number
  status: 'requested' | 'approved' | 'rejected' | 'cancelled'
  decidedBy: string | null
  decidedAt: number | null
  decisionNote: string | null
  /** Raises the engine did not make because of this window. */
  suppressed: number
}

export type WindowOutcome =
  | { ok: true; window: MaintenanceWindow }
  | { ok: false; code: 'NOT_FOUND' | 'STATE_CONFLICT' | 'BAD_REQUEST'; message: string; window?: MaintenanceWindow }


export interface CameraRecord {
  id: string
  edge: string
  site: string
  name: string | null
  area: string
  enterprise: string | null
  host: string
  port: number
  /** From the edge's health check; null before the first status event. */
  online: boolean | null
  /** When `online` last changed (the edge's time). */
  since: number | null
  reason: string | null
  lastEventAt: number | null
}

export interface SnapshotRecord {
  id: string
  camera: string
  event: string
  alarm: number | null
  ts: number
  bytes: number
  sha256: string
  receivedAt: number
}

export interface AlarmFilter {
  /** Whose alarms: 'all' or one enterprise (enforced in SQL). */
  scope: Scope
  /** active: the condition holds; open: not closed by a person yet; all. */
  state: 'active' | 'open' | 'all'
  point?: string
  priority?: Priority
  kind?: AlarmKind
  enterprise?: string
  /** Text in the point id or the point's name. */
  text?: string
  /** Raised at or after / before (epoch ms). */
  raisedFrom?: number
  raisedTo?: number
  limit: number
  offset?: number
}



