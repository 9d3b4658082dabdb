import { randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import type { Hono } from 'hono'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { Writable } from 'node:stream'
import type { Clock } from '../../shared/clock.ts'
import type { DataBatch, StatusBirth, StatusDeath, StatusState } from '../../shared/wire/messages.ts'
import type { Sample } from '../../shared/wire/sample.ts'
import { createEvaluator } from '../../shared/rules/evaluate.ts'
import type { Registry } from '../../cloud/config.ts'
import { createLogger, type Logger } from '../../cloud/log.ts'
import { openTestStore } from '../util/test-store.ts'
import type { AlarmChange, PushPlanner, Store } from '../../cloud/store/store.ts'
import type { StoreConfig } from '../../cloud/store/store-config.ts'
import { createAccounts } from '../../cloud/auth/accounts.ts'
import { defaultAuthConfig, type AuthConfig } from '../../cloud/auth/config.ts'
import type { Role } from '../../cloud/auth/roles.ts'
import { createAuthService, type AuthDeps } from '../../cloud/auth/service.ts'
import type { ClaimPolicy } from '../../cloud/config.ts'
import { createMetrics, type CloudMetrics } from '../../cloud/metrics.ts'
import { AckTracker } from '../../cloud/ingest/ack-tracker.ts'
import type { IngestContext } from '../../cloud/ingest/context.ts'
import { createOwnership } from '../../cloud/ingest/ownership.ts'
import { createRefusalReporter } from '../../cloud/ingest/refusals.ts'
import { createSnapshotRequests } from '../../cloud/ingest/snapshot-requests.ts'

/** Test helpers for the cloud's tests (local to them, so they don't collide with test/util). */

export const T0 = Date.UTC(2025, 0, 31, 0, 0, 0)

/** A clock the test moves by hand. */
export function manualClock(start = T0): Clock & { set(ms: number): void; advance(ms: number): void } {
  let now = start
  return {
    now: () => now,
    set: (ms) => void (now = ms),
    advance: (ms) => void (now += ms),
    setTimeout: (fn, ms) => globalThis.setTimeout(fn, ms),
    clearTimeout: (h) => globalThis.clearTimeout(h as ReturnType<typeof setTimeout>),
  }
}

/** A logger whose JSON lines the test can read. */
export function captureLogger(): { log: Logger; lines: () => Array<Record<string, unknown>> } {
  const chunks: string[] = []
  const destination = new Writable({
    write(chunk: Buffer, _enc, cb) {
      chunks.push(chunk.toString('utf8'))
      cb()
    },
  })
  const log = createLogger({ level: 'debug', destination })
  return {
    log,
    lines: () =>
      chunks
        .join('')
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as Record<string, unknown>),
  }
}

export function tempDir(prefix = 'parklink-cloud-'): { dir: string; remove(): void } {
  const dir = mkdtempSync(path.join(tmpdir(), prefix))
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) }
}

export const registry: Registry = {
  enterprises: [
    { id: 'shilian', name: '实联化工' },
    { id: 'fuqiang', name: '富强新材料' },
  ],
  points: [
    {
      id: 'shilian.tk101.level',
      name: '液氨储罐TK-101液位',
      unit: 'm',
      enterprise: 'shilian',
      class: 'mhs',
      limitsFromSource: false,
      limits: { hh: 10.5, h: 9.5, l: 2, ll: 1, deadband: 0.1 },
    },
    {
      id: 'shilian.gt101.nh3',
      name: '罐区氨气检测GT-101',
      unit: 'ppm',
      enterprise: 'shilian',
      class: 'gas',
      limitsFromSource: false,
      limits: { hh: 40, h: 20, deadband: 1 },
    },
    {
      id: 'fuqiang.v201.pressure',
      name: '液氯储罐V-201压力',
      unit: 'MPa',
      enterprise: 'fuqiang',
      class: 'mhs',
      limitsFromSource: false,
      limits: { hh: 1.0, h: 0.85, deadband: 0.01 },
    },
  ],
  // No edge bindings: the first edge that sends a point claims it (tests of ownership bind theirs: cloud/ingest/ownership.test.ts).
  edges: [],
  claimUnknownPoints: 'open',
}

export const LEVEL = 'shilian.tk101.level'
export const NH3 = 'shilian.gt101.nh3'
export const PRESSURE = 'fuqiang.v201.pressure'

/**
 * A real store in a temp dir, registry applied: SQLite, or PostgreSQL in a run with
 * PARKLINK_TEST_STORE=postgres (test/util/test-store.ts). `file` is the SQLite file (tests that
 * reopen or inspect it are SQLite's own).
 */
export async function tempStore(
  log: Logger = createLogger({ level: 'silent' }),
  onAlarmChange?: (change: AlarmChange) => void,
  planPushes?: PushPlanner,
): Promise<{ store: Store; file: string; dir: string; config: StoreConfig; dispose(): Promise<void> }> {
  const opened = await openTestStore({
    evaluate: createEvaluator(),
    log,
    ...(onAlarmChange ? { onAlarmChange } : {}),
    ...(planPushes ? { planPushes } : {}),
  })
  const handle = {
    store: opened.store,
    file: path.join(opened.dir, 'cloud.db'),
    dir: opened.dir,
    config: opened.config,
    /** Closes whatever store `handle.store` holds now (a test may reopen it) and removes its database and files. */
    async dispose() {
      await handle.store.close()
      await opened.remove()
    },
  }
  try {
    await handle.store.applyRegistry(registry)
  } catch (err) {
    await handle.dispose()
    throw err
  }
  return handle
}

/** The claim policy of the demo's first start: the first edge that sends a point claims it. */
export const openOwnership = (store: Store) =>
  createOwnership({ facts: (edge, points, cameras) => store.ownershipFacts(edge, points, cameras), policy: 'open' })

/** The ownership parts of an IngestContext (cloud/ingest/context.ts), the real ones; `open` unless a test judges ownership. */
export function ownershipParts(o: {
  store: Store
  clock: Clock
  log: Logger
  metrics: CloudMetrics
  policy?: ClaimPolicy
}) {
  return {
    ownership: createOwnership({
      facts: (edge, points, cameras) => o.store.ownershipFacts(edge, points, cameras),
      policy: o.policy ?? 'open',
    }),
    refusals: createRefusalReporter(o),
    snapshots: createSnapshotRequests(o.clock),
  }
}

/** An IngestContext (cloud/ingest/context.ts) with the real tracker and ownership parts; `publish` sees every ack the handlers send. */
export function ingestContext(o: {
  store: Store
  clock: Clock
  log: Logger
  metrics?: CloudMetrics
  policy?: ClaimPolicy
  publish: IngestContext['publish']
}): IngestContext {
  const metrics = o.metrics ?? createMetrics(o.clock.now())
  return {
    store: o.store,
    tracker: new AckTracker(),
    clock: o.clock,
    metrics,
    log: o.log,
    ...ownershipParts({ ...o, metrics }),
    publish: o.publish,
  }
}

export const good = (point: string, ts: number, value: Sample['value']): Sample => ({
  point,
  ts,
  value,
  quality: 'good',
})

/** The outbox id the helpers' batches and births name unless told otherwise. */
export const OUTBOX = 'outbox-1a2b3c4d'

export function batch(
  seq: number,
  samples: Sample[],
  opts: { edge?: string; session?: string; floor?: number; outbox?: string } = {},
): DataBatch {
  return {
    v: 1,
    edge: opts.edge ?? 'shilian-01',
    session: opts.session ?? 's-1',
    outbox: opts.outbox ?? OUTBOX,
    seq,
    floor: opts.floor ?? 1,
    samples,
  }
}

const outbox = { samples: 12, batches: 3, bytes: 2048, oldestTs: T0, evicted: 0 }

export function birth(
  session: string,
  opts: { edge?: string; ts?: number; points?: StatusBirth['points']; outboxId?: string } = {},
): StatusBirth {
  return {
    v: 1,
    kind: 'birth',
    edge: opts.edge ?? 'shilian-01',
    site: 'huaian',
    session,
    ts: opts.ts ?? T0,
    configHash: 'cfg-1',
    points: opts.points ?? [
      { id: LEVEL, name: 'edge name', unit: 'mm', device: 'dcs-1' },
      { id: 'shilian.p101.run', name: '泵运行', device: 'dcs-1' },
    ],
    outbox,
    outboxId: opts.outboxId ?? OUTBOX,
  }
}

export function heartbeat(session: string, opts: { edge?: string; ts?: number } = {}): StatusState {
  return {
    v: 1,
    kind: 'state',
    edge: opts.edge ?? 'shilian-01',
    session,
    ts: opts.ts ?? T0,
    outbox: { ...outbox, samples: 3 },
    drivers: [{ device: 'dcs-1', kind: 'modbus', state: 'connected', since: T0, lastError: null }],
  }
}

export function death(session: string, edge = 'shilian-01'): StatusDeath {
  return { v: 1, kind: 'death', edge, session }
}

/** Polls `probe` until it returns a value that is not undefined/false, or fails after timeoutMs. */
export async function waitFor<T>(
  what: string,
  probe: () => T | undefined | false | Promise<T | undefined | false>,
  timeoutMs = 10_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs
  let last: unknown
  for (;;) {
    try {
      const value = await probe()
      if (value !== undefined && value !== false) return value
    } catch (err) {
      last = err
    }
    if (Date.now() > deadline)
      throw new Error(
        `timed out after ${timeoutMs} ms waiting for ${what}${last ? ` (last error: ${String(last)})` : ''}`,
      )
    await new Promise((r) => setTimeout(r, 25))
  }
}

/**
 * Auth for API tests: the real service and accounts over the store, with a cheaper scrypt cost
 * (still real scrypt; the cost is stored with each hash) so creating users stays fast.
 */
export const TEST_SCRYPT = { N: 2 ** 10, r: 8, p: 1 }
export const TEST_PASSWORD = 'Zhong-an-2025'

export function testAuth(
  store: Store,
  clock: Clock,
  config: AuthConfig = defaultAuthConfig,
  extra: Pick<AuthDeps, 'throttle' | 'metrics'> = {},
) {
  const auth = createAuthService({
    store: store.auth,
    clock,
    log: createLogger({ level: 'silent' }),
    config,
    secret: randomBytes(32),
    scrypt: TEST_SCRYPT,
    ...extra,
  })
  const accounts = createAccounts(store.auth, config.password, TEST_SCRYPT)
  return { auth, accounts }
}

type Accounts = ReturnType<typeof testAuth>['accounts']

/** A new API key with this role (and enterprise). */
export async function testKey(
  accounts: Accounts,
  role: Role = 'park_admin',
  enterprise?: string,
  name = `test-${role}-${enterprise ?? 'park'}`,
): Promise<string> {
  return (await accounts.createApiKey({ name, role, ...(enterprise ? { enterprise } : {}) }, 'test', T0)).key
}

/** A user with TEST_PASSWORD, logged in: its access token. */
export async function testUser(
  t: ReturnType<typeof testAuth>,
  username: string,
  role: Role,
  enterprise?: string,
): Promise<string> {
  await t.accounts.createUser(
    { username, role, password: TEST_PASSWORD, ...(enterprise ? { enterprise } : {}) },
    'test',
    T0,
  )
  return (await t.auth.login(username, TEST_PASSWORD)).tokens.accessToken
}

/** The app as seen by one credential: every request carries `Authorization: Bearer <credential>`. */
export function signedIn(app: Hono, credential: string): Pick<Hono, 'request'> {
  return {
    request: (input, init, ...rest) => {
      const headers = new Headers(init?.headers)
      headers.set('authorization', `Bearer ${credential}`)
      return app.request(input, { ...init, headers }, ...rest)
    },
  }
}

/** An API key written straight into a store (a running cloud's `store`, or a database before the service starts). */
let storeKeys = 0
export async function storeKey(store: Store, role: Role = 'park_admin', enterprise?: string): Promise<string> {
  return testKey(
    createAccounts(store.auth, defaultAuthConfig.password, TEST_SCRYPT),
    role,
    enterprise,
    `test-key-${++storeKeys}`,
  )
}
