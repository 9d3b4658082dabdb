import { sql } from 'drizzle-orm'
import { blob, index, integer, primaryKey, real, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core'
import type { DriverReport, EdgeAlarm, OutboxReport, PointRange, SourceLimits } from '../../../shared/wire/messages.ts'
import type { Sample } from '../../../shared/wire/sample.ts'
import type { ThresholdLimits } from '../../../shared/rules/threshold.ts'
import type { DisposalFacts } from '../../alarms/workflow.ts'
import type { PointRules } from '../../../shared/rules/evaluate.ts'
import type { InvestigationReport } from '../../../shared/rules/gas-warning.ts'
import type { GasWarningStep } from '../../alarms/gas/model.ts'

/**
 * The cloud's SQLite schema. Times are INTEGER epoch milliseconds. A sample value is stored as
 * `value` REAL for numbers (booleans also as 1/0, so digital points can be trended) and, for
 * non-numbers, `value_text` holding the JSON of the value (`true`, `"running"`), which keeps the
 * original type unambiguous; both NULL means a null value.
 *
 * Change this file, then `npm run db:generate` and commit the new migration.
 */
/**
 * Where an entry is drawn on the park plan (issue 17): x, y in 0…1 of the plan image (0,0 top
 * left), and optionally its lon/lat (WGS-84). All optional: an entry without them is laid out
 * on a grid.
 */
const placement = () => ({
  planX: real('plan_x'),
  planY: real('plan_y'),
  lon: real('lon'),
  lat: real('lat'),
})

export const enterprises = sqliteTable('enterprises', {
  id: text('id').primaryKey(),
  name: text('name').notNull(),
  /** Created or edited through the registry API: the config file's registry no longer touches it. */
  managed: integer('managed', { mode: 'boolean' }).notNull().default(false),
  ...placement(),
})

/** 重大危险源 (major hazard source) of an enterprise, MHS level 1 (highest) to 4. */
export const hazardSources = sqliteTable('hazard_sources', {
  id: text('id').primaryKey(),
  enterprise: text('enterprise').notNull(),
  name: text('name').notNull(),
  level: integer('level').notNull(),
  ...placement(),
})

/** An area or unit of an enterprise (tank farm, reactor, warehouse, gallery segment). */
export const areas = sqliteTable('areas', {
  id: text('id').primaryKey(),
  enterprise: text('enterprise').notNull(),
  name: text('name').notNull(),
  kind: text('kind'),
})

export const edges = sqliteTable('edges', {
  id: text('id').primaryKey(),
  site: text('site').notNull(),
  session: text('session'),
  online: integer('online', { mode: 'boolean' }).notNull().default(false),
  lastSeen: integer('last_seen'),
  /** Before outbox ids (migration 00xx): the mark of the edge's only outbox. Now kept per outbox in edge_outboxes. */
  ackedThrough: integer('acked_through').notNull().default(0),
  outbox: text('outbox', { mode: 'json' }).$type<OutboxReport>(),
  /** The id of the edge's current outbox (the newest one it named); null before it named one. */
  outboxId: text('outbox_id'),
  configHash: text('config_hash'),
  drivers: text('drivers', { mode: 'json' }).$type<DriverReport[]>(),
  /** The edge's clock minus the cloud's (ms), estimated from its fresh status messages (cloud/ingest/clock-offset.ts), and when. */
  clockOffsetMs: integer('clock_offset_ms'),
  clockCheckedAt: integer('clock_checked_at'),

  /** Where the monitoring center opens the edge's live view (its birth's `live.url`; null: none announced). */
  liveUrl: text('live_url'),
})

/**
 * The registry's binding of an edge (issue 13): the one site and the one enterprise (null: the
 * park) it belongs to, and whether it may claim points and cameras no edge owns yet (`claim`;
 * null: the config's `registry.claimUnknownPoints`). Which points and cameras an edge may send
 * is `points.edge` / `cameras.edge`.
 */
export const registryEdges = sqliteTable('registry_edges', {
  id: text('id').primaryKey(),
  site: text('site').notNull(),
  enterprise: text('enterprise'),
  claim: text('claim', { enum: ['strict', 'open'] }),
  /** Created or edited through the registry API: the config file's registry no longer touches it. */
  managed: integer('managed', { mode: 'boolean' }).notNull().default(false),
})

export const points = sqliteTable(
  'points',
  {
    id: text('id').primaryKey(),
    /** The edge that may send this point (issue 13): set by the registry, or by the first claim the policy allows; never by a birth of another edge. */
    edge: text('edge'),
    name: text('name'),
    unit: text('unit'),
    device: text('device'),
    enterprise: text('enterprise'),
    class: text('class'),
    /** The limits the alarm engine uses: the registry's, or the source's when limitsFromSource. */
    limits: text('limits', { mode: 'json' }).$type<ThresholdLimits>(),
    /** Measuring range and alarm limits as the source announced them in its birth (e.g. OPC UA EURange, limit alarms). */
    range: text('range', { mode: 'json' }).$type<PointRange>(),
    sourceLimits: text('source_limits', { mode: 'json' }).$type<SourceLimits>(),
    /** On/off-delays, rate of change and digital state rules of the point (registry `rules`). */
    rules: text('rules', { mode: 'json' }).$type<PointRules>(),
    /** Registry choice: the control room's limits (from the source) drive this point's alarms. */
    limitsFromSource: integer('limits_from_source', { mode: 'boolean' }).notNull().default(false),
    /** In the cloud registry: name/unit/enterprise/class/limits come from there, not from births. */
    registered: integer('registered', { mode: 'boolean' }).notNull().default(false),
    /** Edited through the registry API: the config file's registry no longer touches it (the DB wins). */
    managed: integer('managed', { mode: 'boolean' }).notNull().default(false),
    /** Provincial monitoring-indicator fields (exchange set #152). */
    unitCode: text('unit_code'),
    substance: text('substance'),
    cas: text('cas'),
    rangeLow: real('range_low'),
    rangeHigh: real('range_high'),
    hazardSource: text('hazard_source'),
    area: text('area'),
    /** #152 指标类型 (spec Appendix A.208, not in the source: code list in cloud/exchange/codes.ts). */
    indicatorType: text('indicator_type'),
    /** #152 所属监测设备编码: the registry device (`devices.id`) the point belongs to; null: the device its edge announced. */
    monitorDevice: text('monitor_device'),
    /** Where the measuring point is (WGS-84 degrees), for the provincial exchange. */
    lon: real('lon'),
    lat: real('lat'),
    latestTs: integer('latest_ts'),
    latestValue: real('latest_value'),
    latestText: text('latest_text'),
    latestQuality: text('latest_quality'),
    latestReason: text('latest_reason'),
    /** Source time of the newest GOOD sample: comm loss is "no good data for too long". */
    lastGoodTs: integer('last_good_ts'),
  },
  (t) => [index('points_enterprise').on(t.enterprise)],
)

export const batches = sqliteTable(
  'batches',
  {
    edge: text('edge').notNull(),
    /** The outbox that numbered the batch ('' for batches stored before outbox ids). */
    outbox: text('outbox').notNull().default(''),
    seq: integer('seq').notNull(),
    session: text('session').notNull(),
    /** SHA-256 of the batch's content (cloud/store/content-hash.ts): the same key with another hash is a conflict, not a duplicate. Null before outbox ids. */
    hash: text('hash'),
    /** The newest sample time in the batch: what the cloud last had from an outbox, should it be replaced. */
    maxTs: integer('max_ts'),
    /** The floor the batch carried, so the ack mark can be rebuilt after a restart. */
    floor: integer('floor').notNull(),
    receivedAt: integer('received_at').notNull(),
    sampleCount: integer('sample_count').notNull(),
    /**
     * Rules run over batches in the edge's seq order: a batch that arrives ahead of a gap is
     * stored at once but evaluated only when the gap is filled (or given up by the edge's floor).
     */
    evaluated: integer('evaluated', { mode: 'boolean' }).notNull().default(true),
    /** The edge's own alarm changes that came with the batch, kept until it is evaluated. */
    alarms: text('alarms', { mode: 'json' }).$type<EdgeAlarm[]>(),
    /** A deferred batch's samples, kept here until it is evaluated (samples has no (edge, seq) index, on purpose: it would tax every insert). */
    pendingSamples: text('pending_samples', { mode: 'json' }).$type<Sample[]>(),
    /** The edge sent it as replayed backlog: its alarms are recorded without notifications. */
    historical: integer('historical', { mode: 'boolean' }).notNull().default(false),
  },
  // The idempotency key: each (edge, outbox, seq) is stored once.
  (t) => [primaryKey({ name: 'batches_edge_outbox_seq', columns: [t.edge, t.outbox, t.seq] })],
)

/**
 * Every outbox an edge has named (shared/wire/messages.ts OutboxId), with the cloud's
 * contiguous-ack mark for its seqs (rebuilt into the ack tracker at startup).
 */
export const edgeOutboxes = sqliteTable(
  'edge_outboxes',
  {
    edge: text('edge').notNull(),
    outbox: text('outbox').notNull(),
    firstSeen: integer('first_seen').notNull(),
    ackedThrough: integer('acked_through').notNull().default(0),
  },
  (t) => [primaryKey({ name: 'edge_outboxes_pk', columns: [t.edge, t.outbox] })],
)

/**
 * An edge came with a new outbox (disk replaced, file deleted, corrupt file moved aside): what
 * the old outbox still held unsent is lost, a gap of unknown size, listed in /api/v1/gaps.
 * `lastSeq`/`lastTs`: the last seq and the newest sample time the cloud had from the old outbox.
 */
export const outboxReplacements = sqliteTable(
  'outbox_replacements',
  {
    edge: text('edge').notNull(),
    newOutbox: text('new_outbox').notNull(),
    oldOutbox: text('old_outbox').notNull(),
    lastSeq: integer('last_seq'),
    lastTs: integer('last_ts'),
    /** When the cloud first saw the new outbox (its clock). */
    seenAt: integer('seen_at').notNull(),
  },
  (t) => [
    primaryKey({ name: 'outbox_replacements_pk', columns: [t.edge, t.newOutbox] }),
    index('outbox_replacements_seen_at').on(t.seenAt),
  ],
)

/**
 * Before the historian (issue 15): one row per sample. No longer written; rows an older version
 * left are moved into sample_blocks once at startup (cloud/store/sqlite/legacy-samples.ts), so
 * the table stays empty.
 */
export const samples = sqliteTable(
  'samples',
  {
    edge: text('edge').notNull(),
    seq: integer('seq').notNull(),
    point: text('point').notNull(),
    ts: integer('ts').notNull(),
    value: real('value'),
    valueText: text('value_text'),
    quality: text('quality').notNull(),
    reason: text('reason'),
  },
  (t) => [index('samples_point_ts').on(t.point, t.ts)],
)

/**
 * Historian storage (issue 15), the write side: ONE row per stored batch, its samples as a block
 * (cloud/store/historian/block.ts: a directory per point, each point a chunk). `id` is the
 * arrival order: a compaction always takes a prefix of it (cloud/store/sqlite/compaction.ts), so
 * samples sharing a timestamp keep the order they arrived in. min/max_ts: the samples' time span.
 */
export const sampleBlocks = sqliteTable(
  'sample_blocks',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    edge: text('edge').notNull(),
    outbox: text('outbox').notNull(),
    seq: integer('seq').notNull(),
    receivedAt: integer('received_at').notNull(),
    minTs: integer('min_ts').notNull(),
    maxTs: integer('max_ts').notNull(),
    count: integer('count').notNull(),
    data: blob('data', { mode: 'buffer' }).notNull(),
  },
  (t) => [index('sample_blocks_edge_seq').on(t.edge, t.seq), index('sample_blocks_received').on(t.receivedAt)],
)

/**
 * Historian storage, the read side: one point's samples of one hour (`hour`: its start, epoch ms)
 * as a chunk (cloud/store/historian/codec.ts), by time, ties in arrival order; sealed from blocks
 * by the compaction, which merges into the hour's newest chunk. More than one chunk per point and
 * hour only when an older one is damaged (kept, reported, never overwritten).
 */
export const sampleChunks = sqliteTable(
  'sample_chunks',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    point: text('point').notNull(),
    hour: integer('hour').notNull(),
    fromTs: integer('from_ts').notNull(),
    toTs: integer('to_ts').notNull(),
    count: integer('count').notNull(),
    data: blob('data', { mode: 'buffer' }).notNull(),
    /** The newest arrival among its samples (its blocks' received_at): retention keeps raw data a full period from arrival too. */
    receivedAt: integer('received_at'),
  },
  (t) => [index('sample_chunks_point_hour').on(t.point, t.hour)],
)

export const alarms = sqliteTable(
  'alarms',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    point: text('point').notNull(),
    kind: text('kind').notNull(),
    priority: text('priority').notNull(),
    raisedAt: integer('raised_at').notNull(),
    value: real('value').notNull(),
    /** The limit crossed ("limit" is reserved in SQL, hence the column name). */
    limit: real('limit_value').notNull(),
    recoveredAt: integer('recovered_at'),
    recoveredValue: real('recovered_value'),
    state: text('state', { enum: ['active', 'recovered'] })
      .notNull()
      .default('active'),
    /** The park's workflow facts (ack, triage, feedback, closure, reminders): cloud/alarms/workflow.ts. */
    disposal: text('disposal', { mode: 'json' }).$type<DisposalFacts>(),
    /** Closed by a person (separate from recovered). */
    closedAt: integer('closed_at'),
    /** Raises counted on this episode while it was latched as chattering (shared/rules/latch.ts). */
    repeats: integer('repeats').notNull().default(0),
  },
  (t) => [
    index('alarms_state_raised').on(t.state, t.raisedAt),
    index('alarms_point_raised').on(t.point, t.raisedAt),
    // At most one active alarm per (point, kind).
    uniqueIndex('alarms_one_active').on(t.point, t.kind).where(sql`state = 'active'`),
    index('alarms_closed').on(t.closedAt),
  ],
)

/** Every step of an alarm, append-only: raise, recover, ack, triage, feedback, close, reminders. */
export const alarmTimeline = sqliteTable(
  'alarm_timeline',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    alarm: integer('alarm').notNull(),
    at: integer('at').notNull(),
    actor: text('actor').notNull(),
    action: text('action').notNull(),
    detail: text('detail', { mode: 'json' }).$type<Record<string, unknown>>().notNull(),
  },
  (t) => [index('alarm_timeline_alarm').on(t.alarm, t.id)],
)

export const ruleState = sqliteTable('rule_state', {
  point: text('point').primaryKey(),
  state: text('state', { mode: 'json' }).notNull(),
  updatedAt: integer('updated_at').notNull(),
})

/** An alarm the replay found raised and not yet recovered (written once its end is known). */
export interface ReplayOpenRaise {
  ts: number
  value: number
  limit: number
  priority: string
  /** Repetitions counted while the episode was latched as chattering (shared/rules/latch.ts). */
  repeats?: number
}

/**
 * Replay-aware rule state (cloud/store/sqlite/replay.ts). When live data of an edge overtakes
 * its draining backlog, each point's rule state at that moment is kept here and the backlog is
 * evaluated against it, in seq order, while the live state in `rule_state` moves on. Deleted
 * once the backlog below `resume_seq` has been evaluated.
 */
export const replayState = sqliteTable(
  'replay_state',
  {
    point: text('point').primaryKey(),
    edge: text('edge').notNull(),
    /** The outbox whose seqs resumeSeq counts. */
    outbox: text('outbox').notNull().default(''),
    /** The point's rule state where the backlog resumes (null: none yet). */
    state: text('state', { mode: 'json' }),
    /** The first batch evaluated live ahead of the backlog, and its first sample time for this point. */
    resumeSeq: integer('resume_seq').notNull(),
    resumeTs: integer('resume_ts').notNull(),
    /** Raises found in the backlog whose recovery is not known yet, by alarm kind. */
    open: text('open', { mode: 'json' }).$type<Record<string, ReplayOpenRaise>>().notNull(),
  },
  (t) => [index('replay_state_edge').on(t.edge, t.resumeSeq)],
)

/**
 * Maintenance windows (故障点位申请, brief §5): an enterprise asks for a time range over points
 * (given, or resolved from devices when asked); the park approves or rejects. Inside an
 * approved window the covered points raise no alarms; the window ends by itself at `to`.
 */
export const maintenanceWindows = sqliteTable(
  'maintenance_windows',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    enterprise: text('enterprise').notNull(),
    points: text('points', { mode: 'json' }).$type<string[]>().notNull(),
    from: integer('from_ts').notNull(),
    to: integer('to_ts').notNull(),
    reason: text('reason').notNull(),
    requestedBy: text('requested_by').notNull(),
    requestedAt: integer('requested_at').notNull(),
    status: text('status', { enum: ['requested', 'approved', 'rejected', 'cancelled'] }).notNull(),
    decidedBy: text('decided_by'),
    decidedAt: integer('decided_at'),
    decisionNote: text('decision_note'),
  },
  (t) => [index('maintenance_windows_status_to').on(t.status, t.to)],
)

/** What the alarm engine did not raise because a window covered it (the data is still stored). */
export const alarmSuppressions = sqliteTable(
  'alarm_suppressions',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    window: integer('window').notNull(),
    point: text('point').notNull(),
    kind: text('kind').notNull(),
    priority: text('priority').notNull(),
    ts: integer('ts').notNull(),
    value: real('value').notNull(),
  },
  (t) => [index('alarm_suppressions_window').on(t.window)],
)

/** Every notification push an alarm called for, with its attempts and outcome (brief §5). */
export const notificationDeliveries = sqliteTable(
  'notification_deliveries',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    alarm: integer('alarm').notNull(),
    recipient: text('recipient').notNull(),
    channel: text('channel').notNull(),
    /** Which push of the recipient's schedule (1 …). */
    n: integer('n').notNull(),
    dueAt: integer('due_at').notNull(),
    /** When to try next (retries back off). The last error stays after a later success. */
    nextAt: integer('next_at').notNull(),
    attempts: integer('attempts').notNull().default(0),
    status: text('status', { enum: ['pending', 'sent', 'failed', 'skipped'] })
      .notNull()
      .default('pending'),
    lastError: text('last_error'),
    doneAt: integer('done_at'),
    /** Why: the alarm itself (raise, or valid triage) or an escalation because its response is overdue (issue 14). */
    reason: text('reason', { enum: ['alarm', 'overdue'] })
      .notNull()
      .default('alarm'),
  },
  (t) => [
    uniqueIndex('notification_deliveries_once').on(t.alarm, t.recipient, t.channel, t.n, t.reason),
    index('notification_deliveries_due').on(t.status, t.nextAt),
  ],
)

/**
 * Data an edge dropped before the cloud stored it (outbox cap or age: shared/wire/gap.ts). One
 * row per (edge, from_seq); a grown record replaces a narrower one. `points` is a JSON array of
 * point ids, or the JSON string "all".
 */
export const gaps = sqliteTable(
  'gaps',
  {
    edge: text('edge').notNull(),
    fromSeq: integer('from_seq').notNull(),
    throughSeq: integer('through_seq').notNull(),
    reason: text('reason', { enum: ['cap', 'age', 'disk_full'] }).notNull(),
    batches: integer('batches').notNull(),
    samples: integer('samples').notNull(),
    fromTs: integer('from_ts').notNull(),
    toTs: integer('to_ts').notNull(),
    points: text('points', { mode: 'json' }).$type<string[] | 'all'>().notNull(),
    /** When the edge dropped the data (edge time), and when the record reached the cloud. */
    droppedAt: integer('dropped_at').notNull(),
    receivedAt: integer('received_at').notNull(),
  },
  (t) => [primaryKey({ name: 'gaps_edge_from_seq', columns: [t.edge, t.fromSeq] }), index('gaps_to_ts').on(t.toTs)],
)

/**
 * Cameras (issue 4): registry entries from the edges' births (area, enterprise from the edge
 * config), with the online state their status events carry (`since`: the edge's time of the
 * transition, so a late batch never moves it backwards).
 */
export const cameras = sqliteTable('cameras', {
  id: text('id').primaryKey(),
  edge: text('edge').notNull(),
  site: text('site').notNull(),
  name: text('name'),
  area: text('area').notNull(),
  enterprise: text('enterprise'),
  host: text('host').notNull(),
  port: integer('port').notNull(),
  online: integer('online', { mode: 'boolean' }),
  since: integer('since'),
  reason: text('reason'),
  lastEventAt: integer('last_event_at'),
  /** Placed through the registry API only (a birth never touches these). */
  ...placement(),
})

/** Every camera event stored once (its id is the edge's uuid), linked to the alarm it raised or cleared. */
export const cameraEvents = sqliteTable(
  'camera_events',
  {
    id: text('id').primaryKey(),
    camera: text('camera').notNull(),
    edge: text('edge').notNull(),
    type: text('type').notNull(),
    ts: integer('ts').notNull(),
    topic: text('topic'),
    code: text('code'),
    alarm: integer('alarm'),
    snapshotError: text('snapshot_error'),
    /** A status event's state (null: another type, or stored before this column): the camera's offline history. */
    online: integer('online', { mode: 'boolean' }),
  },
  (t) => [index('camera_events_camera_ts').on(t.camera, t.ts)],
)

/** Snapshot metadata; the JPEG is a file under {dataDir}/snapshots (cloud/store/snapshot-files.ts). */
export const snapshots = sqliteTable(
  'snapshots',
  {
    id: text('id').primaryKey(),
    camera: text('camera').notNull(),
    event: text('event').notNull(),
    alarm: integer('alarm'),
    ts: integer('ts').notNull(),
    bytes: integer('bytes').notNull(),
    sha256: text('sha256').notNull(),
    receivedAt: integer('received_at').notNull(),
  },
  (t) => [index('snapshots_alarm').on(t.alarm), index('snapshots_camera_ts').on(t.camera, t.ts)],
)

/**
 * Accounts (issue 6). `password_hash` is `scrypt$N$r$p$salt$hash` (cloud/auth/password.ts).
 * Failed logins in a row lock the account until `locked_until`.
 */
export const users = sqliteTable('users', {
  id: integer('id').primaryKey({ autoIncrement: true }),
  username: text('username').notNull().unique(),
  displayName: text('display_name').notNull(),
  role: text('role').notNull(),
  /** Set exactly for enterprise roles. */
  enterprise: text('enterprise'),
  passwordHash: text('password_hash').notNull(),
  passwordChangedAt: integer('password_changed_at').notNull(),
  failedLogins: integer('failed_logins').notNull().default(0),
  lockedUntil: integer('locked_until'),
  disabled: integer('disabled', { mode: 'boolean' }).notNull().default(false),
  createdAt: integer('created_at').notNull(),
  createdBy: text('created_by').notNull(),
  lastLoginAt: integer('last_login_at'),
})

/** Refresh-token sessions: only the token's SHA-256 is kept; each refresh replaces the token. */
export const sessions = sqliteTable(
  'sessions',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    user: integer('user').notNull(),
    refreshHash: text('refresh_hash').notNull().unique(),
    createdAt: integer('created_at').notNull(),
    expiresAt: integer('expires_at').notNull(),
    revokedAt: integer('revoked_at'),
    revokedWhy: text('revoked_why'),
  },
  (t) => [index('sessions_user').on(t.user)],
)

/** API keys for machine clients: a role (and an enterprise for enterprise roles); only the SHA-256 is kept. */
export const apiKeys = sqliteTable('api_keys', {
  id: integer('id').primaryKey({ autoIncrement: true }),
  name: text('name').notNull().unique(),
  keyHash: text('key_hash').notNull().unique(),
  /** The first characters of the key, to recognise it in a list. */
  prefix: text('prefix').notNull(),
  role: text('role').notNull(),
  enterprise: text('enterprise'),
  createdAt: integer('created_at').notNull(),
  createdBy: text('created_by').notNull(),
  revokedAt: integer('revoked_at'),
  lastUsedAt: integer('last_used_at'),
})

/** The audit log: append-only (triggers refuse UPDATE and DELETE; migration 0011). */
export const auditLog = sqliteTable(
  'audit_log',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    at: integer('at').notNull(),
    actor: text('actor').notNull(),
    action: text('action').notNull(),
    target: text('target'),
    outcome: text('outcome').notNull(),
    before: text('before', { mode: 'json' }),
    after: text('after', { mode: 'json' }),
    detail: text('detail', { mode: 'json' }).$type<Record<string, unknown>>(),
    /** SM3(predecessor's chain_hash ‖ this row's content), hex (cloud/store/sqlite/audit-chain.ts; issue 20). */
    chainHash: text('chain_hash'),
  },
  (t) => [index('audit_log_at').on(t.at), index('audit_log_actor_at').on(t.actor, t.at)],
)

/**
 * Samples stored but not evaluated by the alarm rules, per point and batch (issue 14: never
 * skipped without a trace): `late` (older than the point's evaluated state: evaluating it would
 * replay the past on top of the present), `clock_skew` (its time is outside the window,
 * shared/rules/time-check.ts), `replay_overlap` (backlog samples newer than where live data
 * took over, cloud/store/sqlite/replay.ts). `evaluatedThrough`: the state's time then.
 */
export const unevaluated = sqliteTable(
  'unevaluated',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    point: text('point').notNull(),
    edge: text('edge').notNull(),
    seq: integer('seq').notNull(),
    reason: text('reason', { enum: ['late', 'clock_skew', 'replay_overlap'] }).notNull(),
    count: integer('count').notNull(),
    fromTs: integer('from_ts').notNull(),
    toTs: integer('to_ts').notNull(),
    evaluatedThrough: integer('evaluated_through'),
    receivedAt: integer('received_at').notNull(),
  },
  (t) => [index('unevaluated_point_ts').on(t.point, t.toTs)],
)

/**
 * Generated reports (issue 18, cloud/reports/): one row per generation, with the parameters it
 * was made with, so any past period can be listed, downloaded and made again. The files live
 * under {dataDir}/{reports.dir}; `files` lists them by format.
 */
export const reports = sqliteTable(
  'reports',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    name: text('name').notNull(),
    kind: text('kind').notNull(),
    title: text('title').notNull(),
    fromTs: integer('from_ts').notNull(),
    toTs: integer('to_ts').notNull(),
    params: text('params', { mode: 'json' }).$type<Record<string, unknown>>().notNull(),
    files: text('files', { mode: 'json' })
      .$type<Array<{ format: string; file: string; bytes: number; sha256: string }>>()
      .notNull(),
    /** The period held no data: the report says so. */
    empty: integer('empty', { mode: 'boolean' }).notNull(),
    trigger: text('trigger', { enum: ['schedule', 'catch_up', 'manual'] }).notNull(),
    requestedBy: text('requested_by').notNull(),
    generatedAt: integer('generated_at').notNull(),
    durationMs: integer('duration_ms').notNull(),
  },
  (t) => [index('reports_name_period').on(t.name, t.fromTs, t.toTs), index('reports_generated').on(t.generatedAt)],
)

/**
 * Gas-leak warnings per area (issue 18, cloud/alarms/gas/): at most one open per area; its
 * colour only rises while open; cleared by a person (orange and red with an investigation report).
 */
export const gasWarnings = sqliteTable(
  'gas_warnings',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    area: text('area').notNull(),
    enterprise: text('enterprise'),
    publicArea: integer('public_area', { mode: 'boolean' }).notNull().default(false),
    colour: text('colour', { enum: ['blue', 'yellow', 'orange', 'red'] }).notNull(),
    state: text('state', { enum: ['open', 'cleared'] }).notNull(),
    openedAt: integer('opened_at').notNull(),
    colourSince: integer('colour_since').notNull(),
    reasons: text('reasons', { mode: 'json' }).$type<string[]>().notNull(),
    active: text('active', { mode: 'json' }).$type<string[]>().notNull(),
    acknowledgedAt: integer('acknowledged_at'),
    acknowledgedBy: text('acknowledged_by'),
    noticeDueAt: integer('notice_due_at'),
    noticeSentAt: integer('notice_sent_at'),
    report: text('report', { mode: 'json' }).$type<InvestigationReport>(),
    clearedAt: integer('cleared_at'),
    clearedBy: text('cleared_by'),
    history: text('history', { mode: 'json' }).$type<GasWarningStep[]>().notNull(),
  },
  (t) => [
    uniqueIndex('gas_warnings_one_open').on(t.area).where(sql`state = 'open'`),
    index('gas_warnings_opened').on(t.openedAt),
  ],
)

/**
 * Every push a gas-leak warning's step called for (its opening, escalation or notice: who the
 * colour's rule names, 001:L1937–1940), with its attempts and outcome; written in the same
 * transaction as the step (cloud/store/sqlite/gas-deliveries.ts), sent by cloud/notify.
 */
export const gasWarningDeliveries = sqliteTable(
  'gas_warning_deliveries',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    warning: integer('warning').notNull(),
    /** Index of the step in the warning's history, and its action and colour. */
    step: integer('step').notNull(),
    action: text('action', { enum: ['opened', 'escalated', 'notice'] }).notNull(),
    colour: text('colour', { enum: ['blue', 'yellow', 'orange', 'red'] }).notNull(),
    recipient: text('recipient').notNull(),
    channel: text('channel').notNull(),
    dueAt: integer('due_at').notNull(),
    nextAt: integer('next_at').notNull(),
    attempts: integer('attempts').notNull().default(0),
    status: text('status', { enum: ['pending', 'sent', 'failed', 'skipped'] })
      .notNull()
      .default('pending'),
    lastError: text('last_error'),
    doneAt: integer('done_at'),
  },
  (t) => [
    uniqueIndex('gas_warning_deliveries_once').on(t.warning, t.step, t.recipient, t.channel),
    index('gas_warning_deliveries_due').on(t.status, t.nextAt),
  ],
)

/**
 * Monitoring devices of the registry (issue 18, provincial exchange #152 所属监测设备编码 and
 * #153/#156 device fields): what the spec asks of a device and parklink's edges do not know.
 * `id` is the device id the edge announces for its points (edge config `devices[].id`).
 * `category` is #152's 关联设备类别 (01–06, 99); `type` the device type of its data set
 * (#153: 01–06/99; #156: 01 toxic / 02 combustible).
 */
export const devices = sqliteTable('devices', {
  id: text('id').primaryKey(),
  enterprise: text('enterprise').notNull(),
  name: text('name').notNull(),
  category: text('category').notNull(),
  type: text('type'),
  enabled: integer('enabled', { mode: 'boolean' }).notNull().default(true),
  lon: real('lon'),
  lat: real('lat'),
  location: text('location'),
  coverageRadiusM: real('coverage_radius_m'),
  /** YYYY-MM-DD (投用日期). */
  commissionedOn: text('commissioned_on'),
  /** #156 停车场编号 / 所属停车区编号 (parking-lot detectors only). */
  parkingLot: text('parking_lot'),
  parkingArea: text('parking_area'),
  /** Created or edited through the registry API: the config file's registry no longer touches it. */
  managed: integer('managed', { mode: 'boolean' }).notNull().default(false),
})

/**
 * The park's config bundles (issue 19), one row per edge: the last one pushed (its issue time,
 * config text, who and when), the edge's last answer to a push, and the config hash the park
 * expects the edge to run (the one it answered an accepted push with): drift is the running hash
 * (edges.config_hash, from its status messages) differing from it.
 */
export const edgeBundles = sqliteTable('edge_bundles', {
  edge: text('edge').primaryKey(),
  issuedAt: integer('issued_at').notNull(),
  configYaml: text('config_yaml').notNull(),
  pushedAt: integer('pushed_at').notNull(),
  pushedBy: text('pushed_by').notNull(),
  /** The edge's answer to the last push: applied, unchanged, refused, invalid, rolled-back; null: none (yet). */
  outcome: text('outcome'),
  error: text('error', { mode: 'json' }).$type<{ code: string; message: string }>(),
  answeredAt: integer('answered_at'),
  expectedHash: text('expected_hash'),
  acceptedIssuedAt: integer('accepted_issued_at'),
})

/**
 * Rollups per point at 1 min and 1 h (issue 15; cloud/store/historian/rollup.ts): the figures of
 * the GOOD numeric samples of [start, start + width) (count, min, max, sum, last at last_ts) and
 * how many samples were not good, merged in at ingest (cloud/store/sqlite/rollups.ts). min, max,
 * last and last_ts are NULL while count is 0. Long history ranges are answered from them.
 */
const rollupColumns = {
  point: text('point').notNull(),
  start: integer('start').notNull(),
  count: integer('count').notNull(),
  min: real('min'),
  max: real('max'),
  sum: real('sum').notNull(),
  last: real('last'),
  lastTs: integer('last_ts'),
  notGood: integer('not_good').notNull(),
}
export const rollups1m = sqliteTable('rollups_1m', rollupColumns, (t) => [
  primaryKey({ name: 'rollups_1m_pk', columns: [t.point, t.start] }),
  // The retention job deletes by start (cloud/store/sqlite/retention.ts).
  index('rollups_1m_start').on(t.start),
])
export const rollups1h = sqliteTable('rollups_1h', rollupColumns, (t) => [
  primaryKey({ name: 'rollups_1h_pk', columns: [t.point, t.start] }),
  index('rollups_1h_start').on(t.start),
])

/** What each retention run removed, per kind (raw, rollup_1m, rollup_1h): cloud/store/sqlite/retention.ts. */
export const retentionRuns = sqliteTable(
  'retention_runs',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    at: integer('at').notNull(),
    kind: text('kind').notNull(),
    /** Everything older than this (sample time, or rollup start) was removed. */
    cutoff: integer('cutoff').notNull(),
    /** Samples (raw) or rollup rows (one bucket of one point) removed. */
    removed: integer('removed').notNull(),
  },
  (t) => [index('retention_runs_at').on(t.at)],
)
