import { sql } from 'drizzle-orm'
import {
  bigint,
  boolean,
  customType,
  doublePrecision,
  index,
  integer,
  json,
  jsonb,
  pgTable,
  primaryKey,
  text,
  uniqueIndex,
} from 'drizzle-orm/pg-core'
import type { DriverReport, EdgeAlarm, OutboxReport, PointRange, SourceLimits } from '../../../shared/wire/messages.ts'
import type { Sample } from '../../../shared/wire/sample.ts'
import type { ThresholdLimits } from '../../../shared/rules/threshold.ts'
import type { DisposalFacts } from '../../alarms/workflow.ts'
import type { PointRules } from '../../../shared/rules/evaluate.ts'
import type { InvestigationReport } from '../../../shared/rules/gas-warning.ts'
import type { GasWarningStep } from '../../alarms/gas/model.ts'

/**
 * The cloud's PostgreSQL schema (issue 15): the same tables and columns as the SQLite one
 * (cloud/store/sqlite/schema.ts, whose comments explain each; test/store-schema-parity.test.ts
 * keeps the two equal), typed the PostgreSQL way: epoch milliseconds as `bigint`, JSON as
 * `jsonb` (the audit log's `json`: the exact text its hash chain covers), flags as `boolean`, numbers as `double precision`, ids as identity columns.
 *
 * Change this file, then `npm run db:generate` (both dialects) and commit the new migrations.
 */
const ms = (name: string) => bigint(name, { mode: 'number' })
/** A historian block or chunk (SQLite BLOB). */
const bytea = customType<{ data: Buffer }>({ dataType: () => 'bytea' })
const id = () => integer('id').primaryKey().generatedByDefaultAsIdentity()
/**
 * The id of a time-partitioned table (cloud/store/postgres/partitions.ts): PostgreSQL requires
 * the primary key of a partitioned table to include its partition key, so the key is (id, key).
 */
const partitionedId = () => integer('id').notNull().generatedByDefaultAsIdentity()
/** Where an entry is drawn on the park plan (x, y in 0…1) and its lon/lat: as SQLite's placement(). */
const placement = () => ({
  planX: doublePrecision('plan_x'),
  planY: doublePrecision('plan_y'),
  lon: doublePrecision('lon'),
  lat: doublePrecision('lat'),
})

export const enterprises = pgTable('enterprises', {
  id: text('id').primaryKey(),
  name: text('name').notNull(),
  managed: boolean('managed').notNull().default(false),
  ...placement(),
})

export const hazardSources = pgTable('hazard_sources', {
  id: text('id').primaryKey(),
  enterprise: text('enterprise').notNull(),
  name: text('name').notNull(),
  level: integer('level').notNull(),
  ...placement(),
})

export const areas = pgTable('areas', {
  id: text('id').primaryKey(),
  enterprise: text('enterprise').notNull(),
  name: text('name').notNull(),
  kind: text('kind'),
})

export const edges = pgTable('edges', {
  id: text('id').primaryKey(),
  site: text('site').notNull(),
  session: text('session'),
  online: boolean('online').notNull().default(false),
  lastSeen: ms('last_seen'),
  ackedThrough: ms('acked_through').notNull().default(0),
  outbox: jsonb('outbox').$type<OutboxReport>(),
  outboxId: text('outbox_id'),
  configHash: text('config_hash'),
  drivers: jsonb('drivers').$type<DriverReport[]>(),
  clockOffsetMs: ms('clock_offset_ms'),
  clockCheckedAt: ms('clock_checked_at'),

  /** Where the monitoring center opens the edge's live view (its birth's `live.url`; null: none announced). */
  liveUrl: text('live_url'),
})

export const registryEdges = pgTable('registry_edges', {
  id: text('id').primaryKey(),
  site: text('site').notNull(),
  enterprise: text('enterprise'),
  claim: text('claim', { enum: ['strict', 'open'] }),
  managed: boolean('managed').notNull().default(false),
})

export const points = pgTable(
  'points',
  {
    id: text('id').primaryKey(),
    edge: text('edge'),
    name: text('name'),
    unit: text('unit'),
    device: text('device'),
    enterprise: text('enterprise'),
    class: text('class'),
    limits: jsonb('limits').$type<ThresholdLimits>(),
    range: jsonb('range').$type<PointRange>(),
    sourceLimits: jsonb('source_limits').$type<SourceLimits>(),
    rules: jsonb('rules').$type<PointRules>(),
    limitsFromSource: boolean('limits_from_source').notNull().default(false),
    registered: boolean('registered').notNull().default(false),
    managed: boolean('managed').notNull().default(false),
    unitCode: text('unit_code'),
    substance: text('substance'),
    cas: text('cas'),
    rangeLow: doublePrecision('range_low'),
    rangeHigh: doublePrecision('range_high'),
    hazardSource: text('hazard_source'),
    area: text('area'),
    indicatorType: text('indicator_type'),
    monitorDevice: text('monitor_device'),
    lon: doublePrecision('lon'),
    lat: doublePrecision('lat'),
    latestTs: ms('latest_ts'),
    latestValue: doublePrecision('latest_value'),
    latestText: text('latest_text'),
    latestQuality: text('latest_quality'),
    latestReason: text('latest_reason'),
    lastGoodTs: ms('last_good_ts'),
  },
  (t) => [index('points_enterprise').on(t.enterprise)],
)

export const batches = pgTable(
  'batches',
  {
    edge: text('edge').notNull(),
    outbox: text('outbox').notNull().default(''),
    seq: ms('seq').notNull(),
    session: text('session').notNull(),
    hash: text('hash'),
    maxTs: ms('max_ts'),
    floor: ms('floor').notNull(),
    receivedAt: ms('received_at').notNull(),
    sampleCount: integer('sample_count').notNull(),
    evaluated: boolean('evaluated').notNull().default(true),
    alarms: jsonb('alarms').$type<EdgeAlarm[]>(),
    pendingSamples: jsonb('pending_samples').$type<Sample[]>(),
    historical: boolean('historical').notNull().default(false),
  },
  (t) => [primaryKey({ name: 'batches_edge_outbox_seq', columns: [t.edge, t.outbox, t.seq] })],
)

export const edgeOutboxes = pgTable(
  'edge_outboxes',
  {
    edge: text('edge').notNull(),
    outbox: text('outbox').notNull(),
    firstSeen: ms('first_seen').notNull(),
    ackedThrough: ms('acked_through').notNull().default(0),
  },
  (t) => [primaryKey({ name: 'edge_outboxes_pk', columns: [t.edge, t.outbox] })],
)

export const outboxReplacements = pgTable(
  'outbox_replacements',
  {
    edge: text('edge').notNull(),
    newOutbox: text('new_outbox').notNull(),
    oldOutbox: text('old_outbox').notNull(),
    lastSeq: ms('last_seq'),
    lastTs: ms('last_ts'),
    seenAt: ms('seen_at').notNull(),
  },
  (t) => [
    primaryKey({ name: 'outbox_replacements_pk', columns: [t.edge, t.newOutbox] }),
    index('outbox_replacements_seen_at').on(t.seenAt),
  ],
)

export const samples = pgTable(
  'samples',
  {
    edge: text('edge').notNull(),
    seq: ms('seq').notNull(),
    point: text('point').notNull(),
    ts: ms('ts').notNull(),
    value: doublePrecision('value'),
    valueText: text('value_text'),
    quality: text('quality').notNull(),
    reason: text('reason'),
  },
  (t) => [index('samples_point_ts').on(t.point, t.ts)],
)

/**
 * Historian storage (issue 15): one block per stored batch, as SQLite's sample_blocks. Range
 * partitioned by month of received_at (migration 0012_partitions, partitions.ts): key (id, received_at).
 */
export const sampleBlocks = pgTable(
  'sample_blocks',
  {
    id: partitionedId(),
    edge: text('edge').notNull(),
    outbox: text('outbox').notNull(),
    seq: ms('seq').notNull(),
    receivedAt: ms('received_at').notNull(),
    minTs: ms('min_ts').notNull(),
    maxTs: ms('max_ts').notNull(),
    count: integer('count').notNull(),
    data: bytea('data').notNull(),
  },
  (t) => [
    primaryKey({ name: 'sample_blocks_pk', columns: [t.id, t.receivedAt] }),
    index('sample_blocks_edge_seq').on(t.edge, t.seq),
    index('sample_blocks_received').on(t.receivedAt),
  ],
)

/**
 * Historian storage: one point's samples of one hour as a chunk, as SQLite's sample_chunks. Range
 * partitioned by month of `hour` (migration 0012_partitions, partitions.ts): key (id, hour).
 */
export const sampleChunks = pgTable(
  'sample_chunks',
  {
    id: partitionedId(),
    point: text('point').notNull(),
    hour: ms('hour').notNull(),
    fromTs: ms('from_ts').notNull(),
    toTs: ms('to_ts').notNull(),
    count: integer('count').notNull(),
    data: bytea('data').notNull(),
    receivedAt: ms('received_at'),
  },
  (t) => [
    primaryKey({ name: 'sample_chunks_pk', columns: [t.id, t.hour] }),
    index('sample_chunks_point_hour').on(t.point, t.hour),
  ],
)

export const alarms = pgTable(
  'alarms',
  {
    id: id(),
    point: text('point').notNull(),
    kind: text('kind').notNull(),
    priority: text('priority').notNull(),
    raisedAt: ms('raised_at').notNull(),
    value: doublePrecision('value').notNull(),
    limit: doublePrecision('limit_value').notNull(),
    recoveredAt: ms('recovered_at'),
    recoveredValue: doublePrecision('recovered_value'),
    state: text('state', { enum: ['active', 'recovered'] })
      .notNull()
      .default('active'),
    disposal: jsonb('disposal').$type<DisposalFacts>(),
    closedAt: ms('closed_at'),
    repeats: integer('repeats').notNull().default(0),
  },
  (t) => [
    index('alarms_state_raised').on(t.state, t.raisedAt),
    index('alarms_point_raised').on(t.point, t.raisedAt),
    uniqueIndex('alarms_one_active').on(t.point, t.kind).where(sql`state = 'active'`),
    index('alarms_closed').on(t.closedAt),
  ],
)

export const alarmTimeline = pgTable(
  'alarm_timeline',
  {
    id: id(),
    alarm: integer('alarm').notNull(),
    at: ms('at').notNull(),
    actor: text('actor').notNull(),
    action: text('action').notNull(),
    detail: jsonb('detail').$type<Record<string, unknown>>().notNull(),
  },
  (t) => [index('alarm_timeline_alarm').on(t.alarm, t.id)],
)

export const ruleState = pgTable('rule_state', {
  point: text('point').primaryKey(),
  state: jsonb('state').notNull(),
  updatedAt: ms('updated_at').notNull(),
})

export const replayState = pgTable(
  'replay_state',
  {
    point: text('point').primaryKey(),
    edge: text('edge').notNull(),
    outbox: text('outbox').notNull().default(''),
    state: jsonb('state'),
    resumeSeq: ms('resume_seq').notNull(),
    resumeTs: ms('resume_ts').notNull(),
    open: jsonb('open').$type<Record<string, unknown>>().notNull(),
  },
  (t) => [index('replay_state_edge').on(t.edge, t.resumeSeq)],
)

export const maintenanceWindows = pgTable(
  'maintenance_windows',
  {
    id: id(),
    enterprise: text('enterprise').notNull(),
    points: jsonb('points').$type<string[]>().notNull(),
    from: ms('from_ts').notNull(),
    to: ms('to_ts').notNull(),
    reason: text('reason').notNull(),
    requestedBy: text('requested_by').notNull(),
    requestedAt: ms('requested_at').notNull(),
    status: text('status', { enum: ['requested', 'approved', 'rejected', 'cancelled'] }).notNull(),
    decidedBy: text('decided_by'),
    decidedAt: ms('decided_at'),
    decisionNote: text('decision_note'),
  },
  (t) => [index('maintenance_windows_status_to').on(t.status, t.to)],
)

export const alarmSuppressions = pgTable(
  'alarm_suppressions',
  {
    id: id(),
    window: integer('window').notNull(),
    point: text('point').notNull(),
    kind: text('kind').notNull(),
    priority: text('priority').notNull(),
    ts: ms('ts').notNull(),
    value: doublePrecision('value').notNull(),
  },
  (t) => [index('alarm_suppressions_window').on(t.window)],
)

export const notificationDeliveries = pgTable(
  'notification_deliveries',
  {
    id: id(),
    alarm: integer('alarm').notNull(),
    recipient: text('recipient').notNull(),
    channel: text('channel').notNull(),
    n: integer('n').notNull(),
    dueAt: ms('due_at').notNull(),
    nextAt: ms('next_at').notNull(),
    attempts: integer('attempts').notNull().default(0),
    status: text('status', { enum: ['pending', 'sent', 'failed', 'skipped'] })
      .notNull()
      .default('pending'),
    lastError: text('last_error'),
    doneAt: ms('done_at'),
    reason: text('reason', { enum: ['alarm', 'overdue'] })
      .notNull()
      .default('alarm'),
  },
  (t) => [
    uniqueIndex('notification_deliveries_once').on(t.alarm, t.recipient, t.channel, t.n, t.reason),
    index('notification_deliveries_due').on(t.status, t.nextAt),
  ],
)

export const gaps = pgTable(
  'gaps',
  {
    edge: text('edge').notNull(),
    fromSeq: ms('from_seq').notNull(),
    throughSeq: ms('through_seq').notNull(),
    reason: text('reason', { enum: ['cap', 'age', 'disk_full'] }).notNull(),
    batches: integer('batches').notNull(),
    samples: integer('samples').notNull(),
    fromTs: ms('from_ts').notNull(),
    toTs: ms('to_ts').notNull(),
    points: jsonb('points').$type<string[] | 'all'>().notNull(),
    droppedAt: ms('dropped_at').notNull(),
    receivedAt: ms('received_at').notNull(),
  },
  (t) => [primaryKey({ name: 'gaps_edge_from_seq', columns: [t.edge, t.fromSeq] }), index('gaps_to_ts').on(t.toTs)],
)

export const cameras = pgTable('cameras', {
  id: text('id').primaryKey(),
  edge: text('edge').notNull(),
  site: text('site').notNull(),
  name: text('name'),
  area: text('area').notNull(),
  enterprise: text('enterprise'),
  host: text('host').notNull(),
  port: integer('port').notNull(),
  online: boolean('online'),
  since: ms('since'),
  reason: text('reason'),
  lastEventAt: ms('last_event_at'),
  ...placement(),
})

export const cameraEvents = pgTable(
  'camera_events',
  {
    id: text('id').primaryKey(),
    camera: text('camera').notNull(),
    edge: text('edge').notNull(),
    type: text('type').notNull(),
    ts: ms('ts').notNull(),
    topic: text('topic'),
    code: text('code'),
    alarm: integer('alarm'),
    snapshotError: text('snapshot_error'),
    online: boolean('online'),
  },
  (t) => [index('camera_events_camera_ts').on(t.camera, t.ts)],
)

export const snapshots = pgTable(
  'snapshots',
  {
    id: text('id').primaryKey(),
    camera: text('camera').notNull(),
    event: text('event').notNull(),
    alarm: integer('alarm'),
    ts: ms('ts').notNull(),
    bytes: integer('bytes').notNull(),
    sha256: text('sha256').notNull(),
    receivedAt: ms('received_at').notNull(),
  },
  (t) => [index('snapshots_alarm').on(t.alarm), index('snapshots_camera_ts').on(t.camera, t.ts)],
)

export const users = pgTable('users', {
  id: id(),
  username: text('username').notNull().unique(),
  displayName: text('display_name').notNull(),
  role: text('role').notNull(),
  enterprise: text('enterprise'),
  passwordHash: text('password_hash').notNull(),
  passwordChangedAt: ms('password_changed_at').notNull(),
  failedLogins: integer('failed_logins').notNull().default(0),
  lockedUntil: ms('locked_until'),
  disabled: boolean('disabled').notNull().default(false),
  createdAt: ms('created_at').notNull(),
  createdBy: text('created_by').notNull(),
  lastLoginAt: ms('last_login_at'),
})

export const sessions = pgTable(
  'sessions',
  {
    id: id(),
    user: integer('user').notNull(),
    refreshHash: text('refresh_hash').notNull().unique(),
    createdAt: ms('created_at').notNull(),
    expiresAt: ms('expires_at').notNull(),
    revokedAt: ms('revoked_at'),
    revokedWhy: text('revoked_why'),
  },
  (t) => [index('sessions_user').on(t.user)],
)

export const apiKeys = pgTable('api_keys', {
  id: id(),
  name: text('name').notNull().unique(),
  keyHash: text('key_hash').notNull().unique(),
  prefix: text('prefix').notNull(),
  role: text('role').notNull(),
  enterprise: text('enterprise'),
  createdAt: ms('created_at').notNull(),
  createdBy: text('created_by').notNull(),
  revokedAt: ms('revoked_at'),
  lastUsedAt: ms('last_used_at'),
})

export const auditLog = pgTable(
  'audit_log',
  {
    id: id(),
    at: ms('at').notNull(),
    actor: text('actor').notNull(),
    action: text('action').notNull(),
    target: text('target'),
    outcome: text('outcome').notNull(),
    // json, not jsonb: the exact text written, as the SM3 chain hashed it (cloud/store/audit-chain.ts).
    before: json('before'),
    after: json('after'),
    detail: json('detail').$type<Record<string, unknown>>(),
    chainHash: text('chain_hash'),
  },
  (t) => [index('audit_log_at').on(t.at), index('audit_log_actor_at').on(t.actor, t.at)],
)

export const unevaluated = pgTable(
  'unevaluated',
  {
    id: id(),
    point: text('point').notNull(),
    edge: text('edge').notNull(),
    seq: ms('seq').notNull(),
    reason: text('reason', { enum: ['late', 'clock_skew', 'replay_overlap'] }).notNull(),
    count: integer('count').notNull(),
    fromTs: ms('from_ts').notNull(),
    toTs: ms('to_ts').notNull(),
    evaluatedThrough: ms('evaluated_through'),
    receivedAt: ms('received_at').notNull(),
  },
  (t) => [index('unevaluated_point_ts').on(t.point, t.toTs)],
)

export const reports = pgTable(
  'reports',
  {
    id: id(),
    name: text('name').notNull(),
    kind: text('kind').notNull(),
    title: text('title').notNull(),
    fromTs: ms('from_ts').notNull(),
    toTs: ms('to_ts').notNull(),
    params: jsonb('params').$type<Record<string, unknown>>().notNull(),
    files: jsonb('files').$type<Array<{ format: string; file: string; bytes: number; sha256: string }>>().notNull(),
    empty: boolean('empty').notNull(),
    trigger: text('trigger', { enum: ['schedule', 'catch_up', 'manual'] }).notNull(),
    requestedBy: text('requested_by').notNull(),
    generatedAt: ms('generated_at').notNull(),
    durationMs: integer('duration_ms').notNull(),
  },
  (t) => [index('reports_name_period').on(t.name, t.fromTs, t.toTs), index('reports_generated').on(t.generatedAt)],
)

export const gasWarnings = pgTable(
  'gas_warnings',
  {
    id: id(),
    area: text('area').notNull(),
    enterprise: text('enterprise'),
    publicArea: boolean('public_area').notNull().default(false),
    colour: text('colour', { enum: ['blue', 'yellow', 'orange', 'red'] }).notNull(),
    state: text('state', { enum: ['open', 'cleared'] }).notNull(),
    openedAt: ms('opened_at').notNull(),
    colourSince: ms('colour_since').notNull(),
    reasons: jsonb('reasons').$type<string[]>().notNull(),
    active: jsonb('active').$type<string[]>().notNull(),
    acknowledgedAt: ms('acknowledged_at'),
    acknowledgedBy: text('acknowledged_by'),
    noticeDueAt: ms('notice_due_at'),
    noticeSentAt: ms('notice_sent_at'),
    report: jsonb('report').$type<InvestigationReport>(),
    clearedAt: ms('cleared_at'),
    clearedBy: text('cleared_by'),
    history: jsonb('history').$type<GasWarningStep[]>().notNull(),
  },
  (t) => [
    uniqueIndex('gas_warnings_one_open').on(t.area).where(sql`state = 'open'`),
    index('gas_warnings_opened').on(t.openedAt),
  ],
)

export const gasWarningDeliveries = pgTable(
  'gas_warning_deliveries',
  {
    id: id(),
    warning: integer('warning').notNull(),
    step: integer('step').notNull(),
    action: text('action', { enum: ['opened', 'escalated', 'notice'] }).notNull(),
    colour: text('colour', { enum: ['blue', 'yellow', 'orange', 'red'] }).notNull(),
    recipient: text('recipient').notNull(),
    channel: text('channel').notNull(),
    dueAt: ms('due_at').notNull(),
    nextAt: ms('next_at').notNull(),
    attempts: integer('attempts').notNull().default(0),
    status: text('status', { enum: ['pending', 'sent', 'failed', 'skipped'] })
      .notNull()
      .default('pending'),
    lastError: text('last_error'),
    doneAt: ms('done_at'),
  },
  (t) => [
    uniqueIndex('gas_warning_deliveries_once').on(t.warning, t.step, t.recipient, t.channel),
    index('gas_warning_deliveries_due').on(t.status, t.nextAt),
  ],
)

export const devices = pgTable('devices', {
  id: text('id').primaryKey(),
  enterprise: text('enterprise').notNull(),
  name: text('name').notNull(),
  category: text('category').notNull(),
  type: text('type'),
  enabled: boolean('enabled').notNull().default(true),
  lon: doublePrecision('lon'),
  lat: doublePrecision('lat'),
  location: text('location'),
  coverageRadiusM: doublePrecision('coverage_radius_m'),
  commissionedOn: text('commissioned_on'),
  parkingLot: text('parking_lot'),
  parkingArea: text('parking_area'),
  managed: boolean('managed').notNull().default(false),
})

export const edgeBundles = pgTable('edge_bundles', {
  edge: text('edge').primaryKey(),
  issuedAt: ms('issued_at').notNull(),
  configYaml: text('config_yaml').notNull(),
  pushedAt: ms('pushed_at').notNull(),
  pushedBy: text('pushed_by').notNull(),
  outcome: text('outcome'),
  error: jsonb('error').$type<{ code: string; message: string }>(),
  answeredAt: ms('answered_at'),
  expectedHash: text('expected_hash'),
  acceptedIssuedAt: ms('accepted_issued_at'),
})

/**
 * Rollups per point at 1 min and 1 h (see the SQLite schema). Range partitioned by `start`
 * (migration 0012_partitions, partitions.ts): 1-min by month, 1-h by year; the key (point, start)
 * already holds the partition key, so the ingest's ON CONFLICT (point, start) keeps its index.
 */
const rollupColumns = () => ({
  point: text('point').notNull(),
  start: ms('start').notNull(),
  count: integer('count').notNull(),
  min: doublePrecision('min'),
  max: doublePrecision('max'),
  sum: doublePrecision('sum').notNull(),
  last: doublePrecision('last'),
  lastTs: ms('last_ts'),
  notGood: integer('not_good').notNull(),
})
export const rollups1m = pgTable('rollups_1m', rollupColumns(), (t) => [
  primaryKey({ name: 'rollups_1m_pk', columns: [t.point, t.start] }),
  index('rollups_1m_start').on(t.start),
])
export const rollups1h = pgTable('rollups_1h', rollupColumns(), (t) => [
  primaryKey({ name: 'rollups_1h_pk', columns: [t.point, t.start] }),
  index('rollups_1h_start').on(t.start),
])

export const retentionRuns = pgTable(
  'retention_runs',
  {
    id: id(),
    at: ms('at').notNull(),
    kind: text('kind').notNull(),
    cutoff: ms('cutoff').notNull(),
    removed: bigint('removed', { mode: 'number' }).notNull(),
  },
  (t) => [index('retention_runs_at').on(t.at)],
)
