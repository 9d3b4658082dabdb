import { GasWarningsConfig } from './alarms/gas/model.ts'
import { CoordinationConfig } from './cluster/coordination-config.ts'
import { CloudTimeConfig, defaultCloudTimeConfig } from './ingest/time-config.ts'
import { HistorianConfig, defaultHistorianConfig } from './telemetry/historian-config.ts'
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { z } from 'zod'
import { ConfigError, parseConfig } from '../shared/config.ts'
import { ErrorCodes, ParklinkError, errorMessage } from '../shared/errors.ts'
import { PointClass, PriorityMatrix, defaultPriorityMatrix } from '../shared/rules/priority.ts'
import { gasLimits, hasLevels } from '../shared/rules/gas.ts'
import { ChatterConfig } from '../shared/rules/chatter.ts'
import { ThresholdLimits } from '../shared/rules/threshold.ts'
import { NotificationsConfig } from './notify/config.ts'
import { AuthConfig, defaultAuthConfig } from './auth/config.ts'
import { HttpConfig, defaultHttpConfig } from './api/config.ts'
import { LiveViewConfig } from './api/live-view.ts'
import { PointId, TopicId } from '../shared/wire/ids.ts'
import { DEFAULT_CLOUD_USER } from '../shared/wire/acl.ts'
import { TlsFilesConfig, resolveTlsPaths } from '../shared/tls.ts'
import { CryptoConfig, defaultCryptoConfig, resolveCryptoPaths } from '../shared/crypto/suite.ts'
import { ReportsConfig, defaultReportsConfig, fontProblem } from './reports/config.ts'
import { DeviceBody, PointPatch } from './registry/model.ts'
import { ExchangeConfig, defaultExchangeConfig } from './exchange/config.ts'
import { INSECURE_MESSAGE, isInsecureRemote } from '../shared/transport.ts'
import { StoreConfig } from './store/store-config.ts'
import { AwsIotIngestConfig } from './ingest/aws-iot/config.ts'
import { MetricsConfig } from './ops/config.ts'
import { ClusterConfig } from './cluster/config.ts'

/**
 * The cloud service's configuration (YAML). Paths are relative to the config file; secrets are
 * never written here: `mqtt.passwordEnv` names the environment variable that holds the password.
 */
const Enterprise = z.strictObject({
  id: TopicId,
  name: z.string().min(1).max(128),
})

/** The #152 fields a point of the file's registry may carry (the API edits the same fields). */
const IndicatorFields = {
  unitCode: PointPatch.shape.unitCode,
  indicatorType: PointPatch.shape.indicatorType,
  substance: PointPatch.shape.substance,
  cas: PointPatch.shape.cas,
  rangeLow: PointPatch.shape.rangeLow,
  rangeHigh: PointPatch.shape.rangeHigh,
  /** 所属监测设备编码: a device of registry.devices. */
  device: TopicId.optional(),
  lon: PointPatch.shape.lon,
  lat: PointPatch.shape.lat,
}

const RegistryPoint = z
  .strictObject({
    id: PointId,
    name: z.string().min(1).max(128),
    unit: z.string().max(32).default(''),
    enterprise: TopicId,
    /** The edge that may send this point (issue 13); without it, the first edge the claim policy allows claims it. */
    edge: TopicId.optional(),
    /** Provincial monitoring-indicator fields (exchange #152, issue 18; README "Provincial exchange"). */
    ...IndicatorFields,
    /** The alarm unit the point belongs to; selects the priority row (brief §5). */
    class: PointClass,
    /** Level-1/level-2 upper and lower thresholds (H/HH/L/LL). A point without limits raises no over-limit alarms. */
    limits: ThresholdLimits.optional(),
    /**
     * Take H/HH/L/LL from the control system (the limits the edge reads from the source, e.g. OPC
     * UA limit alarms), so the park's thresholds stay equal to the control room's (brief §2).
     * `limits` may then give only the deadband.
     */
    limitsFromSource: z.boolean().default(false),
    /**
     * A toxic gas point's occupational exposure limit (GBZ 2.1) in the point's unit (ppm, mg/m³):
     * a gas point without levels of its own then alarms at 100 % / 200 % OEL (GB/T 50493).
     */
    oel: z.number().positive().optional(),
    /**
     * Alarm filtering (ISA-18.2 §10.4.3): a limit must be crossed for onDelayS before it raises,
     * and be clear for offDelayS before it recovers. Default none.
     */
    rules: z
      .strictObject({
        onDelayS: z.number().min(0).max(3_600).default(0),
        offDelayS: z.number().min(0).max(3_600).default(0),
        /** Rate of change: raise ROC at |rate| ≥ limitPerMin (units per minute) over windowS. */
        roc: z
          .strictObject({
            limitPerMin: z.number().positive(),
            windowS: z.number().int().min(2).max(86_400).default(60),
            deadband: z.number().nonnegative().default(0),
          })
          .refine((r) => r.deadband < r.limitPerMin, {
            message: 'deadband must be smaller than limitPerMin',
            path: ['deadband'],
          })
          .optional(),
        /** Digital state: raise DIGITAL while the value equals alarmOn (e.g. a high-high level switch). */
        digital: z.strictObject({ alarmOn: z.boolean() }).optional(),
      })
      .optional(),
  })
  .refine((p) => !p.limitsFromSource || !hasLevels(p.limits), {
    message: 'with limitsFromSource: true the levels come from the control system: give only limits.deadband here',
    path: ['limits'],
  })
  // Gas points always alarm (brief §4): their own levels, or GB/T 50493's from the unit or the OEL.
  .refine((p) => p.class !== 'gas' || p.limitsFromSource || gasLimits(p) !== null, {
    message: 'a gas point needs limits, a %LEL or %OEL unit, or its oel (in its unit) for the GB/T 50493 defaults',
    path: ['limits'],
  })
  .transform((p) =>
    p.class === 'gas' && !p.limitsFromSource && !hasLevels(p.limits) ? { ...p, limits: gasLimits(p)! } : p,
  )
export type RegistryPoint = z.infer<typeof RegistryPoint>

/** Which unbound points an edge may claim by sending them first (issue 13; README "Security model"). */
export const ClaimPolicy = z.enum(['strict', 'open'])
export type ClaimPolicy = z.infer<typeof ClaimPolicy>

/** An edge bound to one site and one enterprise (none: the park's own edge). */
const RegistryEdge = z.strictObject({
  id: TopicId,
  site: TopicId,
  enterprise: TopicId.optional(),
  /** This edge's claim policy; default `registry.claimUnknownPoints`. */
  claim: ClaimPolicy.optional(),
})
export type RegistryEdge = z.infer<typeof RegistryEdge>

const field = (x: unknown, key: string): unknown =>
  typeof x === 'object' && x !== null ? (x as Record<string, unknown>)[key] : undefined
const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : [])

const Registry = z
  .strictObject({
    enterprises: z.array(Enterprise).default([]),
    points: z.array(RegistryPoint).default([]),
    edges: z.array(RegistryEdge).default([]),
    /** Monitoring devices (issue 18: provincial exchange #152/#153/#156 device fields). */
    devices: z.array(DeviceBody).optional(),
    /**
     * strict (default): an edge sends only the points and cameras bound to it; open: an edge may
     * also claim a point or camera no edge owns yet by sending it first (the demo's first start).
     */
    claimUnknownPoints: ClaimPolicy.default('strict'),
  })
  // Cross-references are checked even when other entries are invalid (`when`), so one pass lists
  // every problem; the value may then be partly unparsed, hence the defensive reads.
  .superRefine(
    (r, ctx) => {
      const enterprises = new Set<unknown>()
      list(r.enterprises).forEach((e, i) => {
        const id = field(e, 'id')
        if (enterprises.has(id))
          ctx.addIssue({
            code: 'custom',
            path: ['enterprises', i, 'id'],
            message: `duplicate enterprise id "${String(id)}"`,
          })
        enterprises.add(id)
      })
      const edges = new Set<unknown>()
      list(r.edges).forEach((e, i) => {
        const id = field(e, 'id')
        if (edges.has(id))
          ctx.addIssue({ code: 'custom', path: ['edges', i, 'id'], message: `duplicate edge id "${String(id)}"` })
        edges.add(id)
        const enterprise = field(e, 'enterprise')
        if (typeof enterprise === 'string' && !enterprises.has(enterprise)) {
          ctx.addIssue({
            code: 'custom',
            path: ['edges', i, 'enterprise'],
            message: `unknown enterprise "${enterprise}": declare it under registry.enterprises`,
          })
        }
      })
      const devices = new Set<unknown>(list(r.devices).map((d) => field(d, 'id')))
      const points = new Set<unknown>()
      list(r.points).forEach((p, i) => {
        const device = field(p, 'device')
        if (typeof device === 'string' && !devices.has(device))
          ctx.addIssue({
            code: 'custom',
            path: ['points', i, 'device'],
            message: `unknown device "${device}": declare it under registry.devices`,
          })
        const id = field(p, 'id')
        if (points.has(id))
          ctx.addIssue({ code: 'custom', path: ['points', i, 'id'], message: `duplicate point id "${String(id)}"` })
        points.add(id)
        const enterprise = field(p, 'enterprise')
        if (typeof enterprise === 'string' && !enterprises.has(enterprise)) {
          ctx.addIssue({
            code: 'custom',
            path: ['points', i, 'enterprise'],
            message: `unknown enterprise "${enterprise}": declare it under registry.enterprises`,
          })
        }
        const edge = field(p, 'edge')
        if (typeof edge === 'string' && !edges.has(edge)) {
          ctx.addIssue({
            code: 'custom',
            path: ['points', i, 'edge'],
            message: `unknown edge "${edge}": declare it under registry.edges (its site and enterprise)`,
          })
        }
      })
    },
    { when: () => true },
  )
export type Registry = z.infer<typeof Registry>

const BrokerUrl = z
  .string()
  .regex(/^(mqtts?|wss?|tcp|tls):\/\/[^\s]+$/, 'use mqtt://host:port (or mqtts://, ws://, wss://)')

export const CloudConfigSchema = z.strictObject({
  /** Where cloud.db lives. Relative paths are resolved against the config file's folder. */
  dataDir: z.string().min(1),
  /** Listening address, trusted reverse proxies, login throttle, stream limits (cloud/api/config.ts). */
  http: HttpConfig.default(defaultHttpConfig),
  mqtt: z
    .strictObject({
      url: BrokerUrl,
      /**
       * More brokers to try, in order, when the current one is down (issue 16): nodes of one
       * broker cluster or a bridged pair; same credentials, client id and TLS as `url`.
       */
      failover: z.array(BrokerUrl).max(8).default([]),
      /**
       * Stable, so the broker keeps this instance's persistent session across restarts, and unique
       * per instance (two sessions with one id evict each other). With a username the client id IS
       * the username (the park broker binds them: use_username_as_clientid), so give one broker user
       * per cloud instance; without one it defaults to parklink-cloud.
       */
      clientId: TopicId.optional(),
      /** This instance's broker user (no '/': names with '/' are edges' {site}/{edge}, shared/wire/acl.ts). */
      username: TopicId.optional(),
      /** Name of the environment variable holding the broker password (never the password itself). */
      passwordEnv: z
        .string()
        .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'an environment variable name')
        .optional(),
      reconnectPeriodMs: z.number().int().min(100).max(300_000).default(2_000),
      keepaliveS: z.number().int().min(5).max(3_600).default(30),
      /** The park broker's CA for `mqtts://` (the shipped Mosquitto listens with TLS only) and, for certificate login, this instance's cert and key. */
      tls: TlsFilesConfig.optional(),
      /** Let a plain mqtt:// URL to another host through (shared/transport.ts); warned about at every start. */
      allowInsecure: z.boolean().default(false),
    })
    .refine((m) => m.allowInsecure || !isInsecureRemote(m.url), { message: INSECURE_MESSAGE, path: ['url'] })
    .refine((m) => m.allowInsecure || !m.failover.some(isInsecureRemote), {
      message: INSECURE_MESSAGE,
      path: ['failover'],
    })
    .refine((m) => m.clientId === undefined || m.username === undefined, {
      message: 'with a username the client id is the username (the park broker binds them): leave clientId out',
      path: ['clientId'],
    })
    .transform((m) => ({ ...m, clientId: m.clientId ?? m.username ?? DEFAULT_CLOUD_USER })),
  /** AWS IoT Core instead of the park broker for ingest (issue 16, cloud/ingest/aws-iot/config.ts); absent: `mqtt`. */
  awsIot: AwsIotIngestConfig.optional(),
  /** Application-layer signatures and encryption (issue 20, shared/crypto/suite.ts); absent: off. Files default to what `parklink pki issue cloud` wrote beside mqtt.tls.cert. */
  crypto: CryptoConfig.safeExtend({
    /** The park CA's CRL for the signing certificates (cloud/ingest/crl-watch.ts): pki/sm2/crl.pem (sm) or pki/tls/crl.pem (standard). */
    crl: z.string().min(1).optional(),
    /** How often the CRL file is looked at (re-read when it changed, its dates re-judged). */
    crlCheckS: z.number().int().min(1).max(3_600).default(30),
  })
    .refine((c) => c.suite !== 'off' || c.crl === undefined, {
      message: 'crl needs a suite (sm or standard): it is checked against the signing certificates',
      path: ['crl'],
    })
    .default({ ...defaultCryptoConfig, crlCheckS: 30 }),
  /** An edge not heard from for this long is shown offline (default: 3 × a 20 s heartbeat). */
  edgeOfflineAfterMs: z.number().int().positive().default(60_000),
  log: z
    .strictObject({ level: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info') })
    .default({ level: 'info' }),
  registry: Registry.default({ enterprises: [], points: [], edges: [], claimUnknownPoints: 'strict' }),
  alarms: z
    .strictObject({
      /**
       * Priority by point class and rule kind (brief §5). Default: the park's S/A/B/C/D table;
       * the second A–D scheme (001:L7766) is written here, see firmware-configs/sites/example-cloud.yaml.
       */
      priorities: PriorityMatrix.default(defaultPriorityMatrix),
      /** A registered point with no good sample for this long raises a STALE (comm loss) alarm; every point must refresh at least every 5 min (brief §3). */
      staleAfterS: z.number().int().min(10).max(86_400).default(600),
      /** A camera its edge reports offline for this long raises an OFFLINE comm-loss alarm on camera:{id}. */
      cameraOfflineAfterS: z.number().int().min(1).max(86_400).default(300),
      /**
       * Chattering (ISA-18.2 §16.6, shared/rules/latch.ts): `count` raises within `windowMs` latch
       * the alarm as one episode until clear for `clearHoldS`. Keep equal to the edges' alarms.chatter.
       */
      chatter: ChatterConfig.prefault({}),
      /** Gas-leak warnings per area: colour thresholds (cloud/alarms/gas/model.ts; README "Gas-leak warnings"). */
      gasWarnings: GasWarningsConfig.prefault({}),
    })
    .prefault({}),
  /** The big screen: shift handover times (HH:MM local) and the local UTC offset. */
  board: z
    .strictObject({
      shiftChanges: z
        .array(z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'HH:MM'))
        .min(1)
        .default(['08:00', '20:00']),
      utcOffset: z
        .string()
        .regex(/^[+-]\d{2}:\d{2}$/, 'an offset such as +08:00')
        .default('+08:00'),
    })
    .default({ shiftChanges: ['08:00', '20:00'], utcOffset: '+08:00' }),
  /** Time checks at ingest, historical marking and the edges' CLOCK alarm (cloud/ingest/time-check.ts). */
  time: CloudTimeConfig.default(defaultCloudTimeConfig),
  /** The historian's compaction: blocks older than compactAfterS sealed into hourly chunks every compactEveryS (cloud/telemetry/historian-config.ts). */
  historian: HistorianConfig.default(defaultHistorianConfig),
  /** Who is told about alarms, how and when (cloud/notify/config.ts). */
  notifications: NotificationsConfig.default({
    attempts: 3,
    schedules: {},
    escalateTo: ['park-supervision'],
    recipients: [],
  }),
  /** Accounts and sessions: token lifetimes, the password policy, where the signing secret comes from (cloud/auth/config.ts). */
  auth: AuthConfig.default(defaultAuthConfig),
  /** Report definitions, their schedule, the PDF font (cloud/reports/config.ts; README "Reports"). */
  reports: ReportsConfig.default(defaultReportsConfig),
  /** The provincial exchange's front-end database, schedule and choices (cloud/exchange/config.ts; README "Provincial exchange"). */
  exchange: ExchangeConfig.default(defaultExchangeConfig),
  /**
   * The park's config bundles for its edges (issue 19): the park's signing key (PKCS#8 PEM, SM2
   * or Ed25519) is read from this file at start, never written in this config nor logged.
   * Absent: config pushes are refused.
   */
  bundles: z.strictObject({ signingKeyFile: z.string().min(1) }).optional(),
  /** The store: its engine (SQLite or PostgreSQL) and how long raw samples and rollups are kept (cloud/store/store-config.ts; README "Engines", "Retention"). */
  store: StoreConfig.prefault({}),
  /** Live view in the dashboard (cloud/api/live-view.ts): the edges' relay origins it may open (CSP connect-src). */
  live: LiveViewConfig.prefault({}),
  /** Replicas on one PostgreSQL database: the leader lease and the alarm relay's timings (cloud/cluster/coordination-config.ts; issue 16). */
  coordination: CoordinationConfig.prefault({}),
  /** GET /metrics (issue 16, cloud/ops/config.ts): the scrape token's variable. */
  metrics: MetricsConfig.prefault({}),
  /** Several replicas on one PostgreSQL: this replica's id and its edge-ownership timings (cloud/cluster/config.ts; README "Replicas"). */
  cluster: ClusterConfig.prefault({}),
})
export type CloudConfig = z.infer<typeof CloudConfigSchema>

/** Reads, validates and resolves a cloud config file. Throws ConfigError (every problem, with lines) or CONFIG_UNREADABLE. */
export function loadCloudConfig(file: string): CloudConfig {
  let text: string
  try {
    text = readFileSync(file, 'utf8')
  } catch (err) {
    throw new ParklinkError(
      ErrorCodes.CONFIG_UNREADABLE,
      `cannot read cloud configuration ${file}: ${errorMessage(err)}`,
      {
        hint: 'check the path given with --config and that the service user may read it',
        cause: err,
      },
    )
  }
  const config = parseConfig(CloudConfigSchema, text, file)
  const dir = path.dirname(path.resolve(file))
  const auth =
    config.auth.liveKeyFile === undefined
      ? config.auth
      : { ...config.auth, liveKeyFile: path.resolve(dir, config.auth.liveKeyFile) }
  const mqtt =
    config.mqtt.tls === undefined ? config.mqtt : { ...config.mqtt, tls: resolveTlsPaths(config.mqtt.tls, dir) }
  const reports = { ...config.reports, font: path.resolve(dir, config.reports.font) }
  const bundles = config.bundles && { signingKeyFile: path.resolve(dir, config.bundles.signingKeyFile) }
  const missingFont = fontProblem(reports)
  if (missingFont)
    throw new ConfigError(file, [
      {
        file,
        line: null,
        path: 'reports.font',
        message: `${missingFont}: install fonts-wqy-zenhei (or fonts-noto-cjk) or point reports.font at a CJK font`,
      },
    ])
  const crypto = resolveCryptoPaths(config.crypto, dir)
  if (crypto.crl !== undefined) crypto.crl = path.resolve(dir, crypto.crl)
  const awsIot = config.awsIot && {
    ...config.awsIot,
    ...resolveTlsPaths(
      { cert: config.awsIot.cert, key: config.awsIot.key, ...(config.awsIot.ca ? { ca: config.awsIot.ca } : {}) },
      dir,
    ),
  }
  return {
    ...config,
    auth,
    mqtt,
    ...(awsIot ? { awsIot } : {}),
    reports,
    crypto,
    ...(bundles ? { bundles } : {}),
    dataDir: path.resolve(dir, config.dataDir),
  }
}

/** The broker password from the environment variable the config names; an unset variable is a config error. */
export function mqttPassword(config: CloudConfig, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const name = config.mqtt.passwordEnv
  if (name === undefined) return undefined
  const value = env[name]
  if (value === undefined || value === '') {
    throw new ParklinkError(
      ErrorCodes.CONFIG_INVALID,
      `mqtt.passwordEnv names ${name}, but that environment variable is not set`,
      {
        hint: `set ${name} (for systemd: in /etc/parklink/cloud.env) or remove mqtt.passwordEnv`,
      },
    )
  }
  return value
}
