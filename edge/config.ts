import { createHash } from 'node:crypto'
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { z } from 'zod'
import { parseConfig } from '../shared/config.ts'
import { didYouMean } from '../shared/config-suggest.ts'
import { ErrorCodes, ParklinkError, errorMessage } from '../shared/errors.ts'
import { TopicId } from '../shared/wire/ids.ts'
import { IOT_LIMITS } from '../shared/iot/limits.ts'
import {
  ModbusGatewayDeviceConfig,
  ModbusRtuDeviceConfig,
  ModbusRtuOverTcpDeviceConfig,
  ModbusTcpDeviceConfig,
} from './drivers/modbus/config.ts'
import { LocalAlarmsConfig } from './alarms/local.ts'
import { SettlementConfig, derivedIds } from './derived/config.ts'
import { expandProfiles } from './profiles/expand.ts'
import { Hj212DeviceConfig } from './drivers/hj212/config.ts'
import { OpcuaDeviceConfig } from './drivers/opcua/config.ts'
import { ConsoleConfig } from './console/config.ts'
import { writableProblem } from './drivers/modbus/writable.ts'
import { UplinkTlsConfig, resolveTlsPaths } from './uplink/tls.ts'
import { CryptoConfig, defaultCryptoConfig, resolveCryptoPaths } from '../shared/crypto/suite.ts'
import { INSECURE_MESSAGE, isInsecureRemote } from '../shared/transport.ts'
import { ReportConfig } from './report/config.ts'
import { OnvifDeviceConfig } from './drivers/onvif/config.ts'
import { LiveConfig } from './live/config.ts'
import { BatchingConfig, DEFAULT_BATCHING } from './pipeline/config.ts'
import { StorageConfig, resolveStorage } from './at-rest/config.ts'

/**
 * The edge agent's configuration (YAML), as a technician writes it. Paths are relative to the
 * config file; secrets are never written here (`uplink.passwordEnv` names an environment
 * variable). The schema has no transforms, so a JSON Schema can be generated from it
 * (`z.toJSONSchema(EdgeConfigSchema, { io: 'input' })`).
 */

/** One entry of `devices`, chosen by `kind`. New protocols add their schema here. */
export const DeviceConfigSchema = z.discriminatedUnion('kind', [
  ModbusTcpDeviceConfig,
  ModbusRtuDeviceConfig,
  ModbusGatewayDeviceConfig,
  ModbusRtuOverTcpDeviceConfig,
  OpcuaDeviceConfig,
  Hj212DeviceConfig,
  OnvifDeviceConfig,
])
export type DeviceConfig = z.infer<typeof DeviceConfigSchema>
export type DeviceKind = DeviceConfig['kind']

const MqttUrl = z
  .string()
  .regex(/^(mqtts?|wss?|tcp|tls):\/\/[^\s]+$/, 'use mqtt://host:port (or mqtts://, ws://, wss://)')
  .refine((url) => !/^[a-z]+:\/\/[^/@]*@/i.test(url), 'put no credentials in the URL: use username and passwordEnv')

/** What both uplink kinds share: batching, the send window, timers (edge/uplink/uplink.ts). */
const uplinkCommon = {
  /** Most samples in one published message. One outbox batch is one message: reads are split at append. */
  batchSize: z.number().int().min(1).max(100_000).default(500),
  /** Batches published but not yet acked by the CLOUD. */
  maxInflight: z.number().int().min(1).max(10_000).default(32),
  /**
   * Backlog batches in flight while a backlog drains after an outage (default half of
   * maxInflight, at most 8): live batches go first, and each backlog batch in flight is one the
   * cloud may store before the next live one. These slots stay the backlog's while it lasts
   * (live uses the rest of the window), so the drain never stops. Raise it on a link with a
   * long round trip.
   */
  replayInflight: z.number().int().min(1).max(10_000).optional(),
  /** No ack progress for this long while batches are in flight → resend from the last ack (the wait doubles, up to 8×, while the cloud stays silent). */
  ackTimeoutMs: z.number().int().min(100).max(3_600_000).default(15_000),
  /** Period of the retained `state` status message. */
  heartbeatMs: z.number().int().min(100).max(3_600_000).default(10_000),
  reconnectMinMs: z.number().int().min(10).max(600_000).default(500),
  reconnectMaxMs: z.number().int().min(10).max(3_600_000).default(30_000),
}

/** The park's own broker (Mosquitto, EMQX) over mqtt.js: `kind` may be left out. */
export const UplinkConfigSchema = z
  .strictObject({
    kind: z.literal('mqtt').optional(),
    url: MqttUrl,
    /**
     * More brokers to try, in order, when the current one is down (issue 16): nodes of one broker
     * cluster or a bridged pair. Same credentials, client id and TLS settings as `url`.
     */
    failover: z.array(MqttUrl).max(8).default([]),
    username: z.string().min(1).max(256).optional(),
    /** Name of the environment variable that holds the broker password (never the password). */
    passwordEnv: z
      .string()
      .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'an environment variable name, e.g. PARKLINK_MQTT_PASSWORD')
      .optional(),
    /**
     * Only for a broker without user names (certificate login, a bench broker): default
     * parklink-edge-{edge}. With a username the client id IS the username, as the park broker
     * binds them (deploy/mosquitto/parklink.conf: use_username_as_clientid).
     */
    clientId: TopicId.optional(),
    ...uplinkCommon,
    /**
     * The broker's largest message (Mosquitto `message_size_limit`; shipped 1 MiB): no batch is
     * written that could exceed it; a larger snapshot travels in parts (edge/message-size.ts).
     */
    maxMessageBytes: z
      .number()
      .int()
      .min(256 * 1024)
      .max(256 * 1024 * 1024)
      .default(1024 * 1024),
    /** MQTT keep alive; the broker publishes the last will after 1.5 × this without traffic. */
    keepaliveS: z.number().int().min(5).max(3_600).default(30),
    /** CA of the park broker and, for certificate login, this edge's cert and key (edge/uplink/tls.ts). */
    tls: UplinkTlsConfig.optional(),
    /** Let a plain mqtt:// URL to another host through (shared/transport.ts); warned about at every start. */
    allowInsecure: z.boolean().default(false),
  })
  .refine((u) => u.allowInsecure || !isInsecureRemote(u.url), { message: INSECURE_MESSAGE, path: ['url'] })
  .refine((u) => u.allowInsecure || !u.failover.some(isInsecureRemote), {
    message: INSECURE_MESSAGE,
    path: ['failover'],
  })
  .refine((u) => u.reconnectMinMs <= u.reconnectMaxMs, {
    message: 'must be at least reconnectMinMs',
    path: ['reconnectMaxMs'],
  })
  // MQTT 3.1.1 §3.1.2.9: a password may only be sent with a user name.
  .refine((u) => u.passwordEnv === undefined || u.username !== undefined, {
    message: 'a password needs a username',
    path: ['passwordEnv'],
  })
  .refine((u) => u.clientId === undefined || u.username === undefined, {
    message: 'with a username the client id is the username (the park broker binds them): leave clientId out',
    path: ['clientId'],
  })
  .refine((u) => u.tls === undefined || [u.url, ...u.failover].every((url) => /^(mqtts|wss|tls):/.test(url)), {
    message: 'tls needs an mqtts:// (or wss://) url, and so does every failover url',
    path: ['tls'],
  })

/** The account's AWS IoT data endpoint, a host name (aws iot describe-endpoint --endpoint-type iot:Data-ATS). */
const IotEndpoint = z
  .string()
  .regex(
    /^(?=.{1,253}$)[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*$/,
    'the data endpoint host only, e.g. a1b2c3d4e5f6g7-ats.iot.cn-north-1.amazonaws.com.cn (no scheme, no port)',
  )

/**
 * AWS IoT Core (issue 16, edge/uplink/aws-iot/): mTLS with the thing's certificate and key, the
 * thing name as the client id, IoT Core's limits (shared/iot/limits.ts) on message size and keep
 * alive. Paths are relative to the config; `ca` absent: the system's trust store.
 */
export const AwsIotUplinkConfigSchema = z
  .strictObject({
    kind: z.literal('aws-iot'),
    endpoint: IotEndpoint,
    port: z.number().int().min(1).max(65_535).default(8883),
    /** The IoT thing; IoT Core's policy binds the client id to it (client/${iot:Connection.Thing.ThingName}). */
    thingName: z.string().regex(/^[A-Za-z0-9:_-]{1,128}$/, 'an IoT thing name: 1–128 of A–Z a–z 0–9 : _ -'),
    /** The thing's certificate and private key (PEM), and the CA of the endpoint's certificate (Amazon Root CA 1). */
    cert: z.string().min(1),
    key: z.string().min(1),
    ca: z.string().min(1).optional(),
    ...uplinkCommon,
    /** IoT Core takes at most 128 KB per message: batches and snapshot parts are cut under this (edge/message-size.ts). */
    maxMessageBytes: z
      .number()
      .int()
      .min(32 * 1024)
      .max(IOT_LIMITS.messageBytes)
      .default(IOT_LIMITS.messageBytes),
    /** IoT Core accepts 30–1200 s. */
    keepaliveS: z.number().int().min(IOT_LIMITS.keepaliveMinS).max(IOT_LIMITS.keepaliveMaxS).default(30),
  })
  .refine((u) => u.reconnectMinMs <= u.reconnectMaxMs, {
    message: 'must be at least reconnectMinMs',
    path: ['reconnectMaxMs'],
  })

/** `uplink`: the park's broker (`kind: mqtt`, the default when left out) or AWS IoT Core (`kind: aws-iot`). */
export const UplinkSchema = z.discriminatedUnion('kind', [UplinkConfigSchema, AwsIotUplinkConfigSchema])

const DEFAULT_MAX_BYTES = 2 * 1024 ** 3
/** Room kept back on the data directory's disk so delivery can still delete on a full disk (edge/outbox/disk-reserve.ts). */
const DEFAULT_RESERVE_BYTES = 16 * 1024 ** 2

export const EdgeConfigSchema = z
  .strictObject({
    site: TopicId,
    edge: TopicId,
    /** Where outbox.db lives. Relative paths are resolved against the config file's folder. */
    dataDir: z.string().min(1),
    uplink: UplinkSchema,
    /** Application-layer signatures and encryption (issue 20, shared/crypto/suite.ts); absent: off. */
    crypto: CryptoConfig.default(defaultCryptoConfig),
    outbox: z
      .strictObject({
        /** Cap on the data held while the cloud is unreachable; beyond it the oldest batches go (and are counted). */
        maxBytes: z
          .number()
          .int()
          .min(1024 * 1024)
          .default(DEFAULT_MAX_BYTES),
        /** Data older than this many hours is dropped (and reported to the cloud as a gap); default: kept until the cap. */
        maxAgeH: z
          .number()
          .positive()
          .max(24 * 366)
          .optional(),
        /**
         * Bytes of `{dataDir}/outbox.db.reserve`, given up when the disk fills so acked batches can
         * still be deleted; re-created once there is room (0: none).
         */
        reserveBytes: z
          .number()
          .int()
          .min(0)
          .max(1024 ** 3)
          .default(DEFAULT_RESERVE_BYTES),
      })
      .default({ maxBytes: DEFAULT_MAX_BYTES, reserveBytes: DEFAULT_RESERVE_BYTES }),
    /** May be empty while the box is being commissioned (`parklink edge init` without a device): the uplink runs, nothing is read. */
    devices: z.array(DeviceConfigSchema),
    /** Pipe-gallery settlement derived from static-level gauges (see edge/derived/config.ts). */
    settlement: SettlementConfig.optional(),
    /** Alarms raised at the edge too, so the plant alarms while the uplink is down (edge/alarms/local.ts). */
    alarms: LocalAlarmsConfig.optional(),
    /** The local web console on the plant LAN (edge/console/); off unless present. */
    console: ConsoleConfig.optional(),
    /** Report by exception per point: deadband or SDT, forced refresh (edge/report/config.ts). Absent: every sample kept. */
    report: ReportConfig.optional(),
    /** Live view of the cameras, relayed at the edge (edge/live/config.ts). */
    live: LiveConfig.optional(),
    /** Pushed samples grouped per device into one outbox commit (edge/pipeline/config.ts). */
    batching: BatchingConfig.default(DEFAULT_BATCHING),
    /** The edge's stored data: `encryption: { keyFile }` seals it with SM4 at rest (edge/at-rest/config.ts). */
    storage: StorageConfig.optional(),
    /**
     * The park may push this edge's configuration (issue 19, edge/park/): signed bundles are
     * checked against the park's public key in this file (PEM public key or certificate; SM2 or
     * Ed25519). Absent: pushes are refused.
     */
    park: z.strictObject({ publicKeyFile: z.string().min(1) }).optional(),
  })
  // Ids are checked even when other entries are invalid (`when`), so one pass lists every
  // problem; entries may then be partly unparsed, hence the defensive reads.
  .superRefine(
    (config, ctx) => {
      const devices = new Map<unknown, number>()
      const points = new Map<unknown, string>()
      list(config.devices).forEach((device, i) => {
        const id = field(device, 'id')
        if (id !== undefined && devices.has(id)) {
          ctx.addIssue({
            code: 'custom',
            path: ['devices', i, 'id'],
            message: `duplicate device id "${String(id)}" (also devices.${devices.get(id)})`,
          })
        } else devices.set(id, i)
        // Points sit under the device, or under each unit of a serial line.
        const groups: Array<[unknown, Array<string | number>]> = [[field(device, 'points'), ['devices', i, 'points']]]
        list(field(device, 'units')).forEach((u, k) =>
          groups.push([field(u, 'points'), ['devices', i, 'units', k, 'points']]),
        )
        list(field(device, 'instruments')).forEach((u, k) =>
          groups.push([field(u, 'points'), ['devices', i, 'instruments', k, 'points']]),
        )
        for (const [group, at] of groups) {
          list(group).forEach((point, j) => {
            const pid = field(point, 'id')
            if (pid === undefined) return
            const first = points.get(pid)
            if (first !== undefined)
              ctx.addIssue({
                code: 'custom',
                path: [...at, j, 'id'],
                message: `duplicate point id "${String(pid)}" (also ${first})`,
              })
            else points.set(pid, [...at, j].join('.'))
            const write = String(field(device, 'kind')).startsWith('modbus') ? writableProblem(point) : null
            if (write) ctx.addIssue({ code: 'custom', path: [...at, j, 'writable'], message: write })
          })
        }
      })
      // The park broker knows an edge as {site}/{edge} (shared/wire/acl.ts): a name of that form must be this edge's.
      const user = field(field(config, 'uplink'), 'username')
      if (typeof user === 'string' && user.includes('/') && user !== `${String(config.site)}/${String(config.edge)}`) {
        ctx.addIssue({
          code: 'custom',
          path: ['uplink', 'username'],
          message: `"${user}" is another edge's broker user: this edge logs in as "${String(config.site)}/${String(config.edge)}"`,
        })
      }
      // Settlement reads gauges some device must read.
      list(field(field(config, 'settlement'), 'segments')).forEach((seg, i) => {
        const refs: Array<[unknown, Array<string | number>]> = [
          [field(seg, 'base'), ['settlement', 'segments', i, 'base']],
          ...list(field(seg, 'points')).map((p, j): [unknown, Array<string | number>] => [
            p,
            ['settlement', 'segments', i, 'points', j],
          ]),
        ]
        for (const [ref, at] of refs) {
          if (typeof ref === 'string' && !points.has(ref))
            ctx.addIssue({
              code: 'custom',
              path: at,
              message: `no device reads point "${ref}"${didYouMean(ref, [...points.keys()].map(String))}`,
              params: { hint: 'list the gauge under devices first' },
            })
        }
      })
      // Local alarms watch points this edge reads or derives.
      const derived = list(field(field(config, 'settlement'), 'segments')).flatMap((seg) =>
        list(field(seg, 'points')).flatMap((p) => (typeof p === 'string' ? Object.values(derivedIds(p)) : [])),
      )
      const known = new Set([...points.keys(), ...derived].map(String))
      list(field(field(config, 'alarms'), 'points')).forEach((a, i) => {
        const id = field(a, 'id')
        if (typeof id === 'string' && !known.has(id))
          ctx.addIssue({
            code: 'custom',
            path: ['alarms', 'points', i, 'id'],
            message: `no device reads point "${id}"${didYouMean(id, known)}`,
            params: { hint: 'alarm on a point listed under devices (or a settlement point)' },
          })
      })
    },
    { when: () => true },
  )

/** Every point a device entry declares, wherever it sits (under the device or under its units). */
export function devicePoints(
  device: DeviceConfig,
): Array<{ id: string; name?: string | undefined; unit?: string | undefined }> {
  if ('units' in device) return device.units.flatMap((u) => u.points)
  if ('instruments' in device) return device.instruments.flatMap((i) => i.points)
  if (device.kind === 'onvif') return []
  return device.points
}

type ParsedEdgeConfig = z.infer<typeof EdgeConfigSchema>
export type EdgeConfigInput = z.input<typeof EdgeConfigSchema>
/** A validated config with paths resolved and defaults filled in. */
export type EdgeConfig = Omit<ParsedEdgeConfig, 'uplink'> & {
  uplink: ParsedEdgeConfig['uplink'] & { clientId: string }
}
/** The resolved `uplink` of each kind. */
export type MqttUplinkConfig = Exclude<EdgeConfig['uplink'], { kind: 'aws-iot' }>
export type AwsIotUplinkConfig = Extract<EdgeConfig['uplink'], { kind: 'aws-iot' }>

const field = (x: unknown, key: string): unknown =>
  typeof x === 'object' && x !== null ? (x as Record<string, unknown>)[key] : undefined
const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : [])

/** Reads, validates and resolves an edge config file. Throws ConfigError (every problem, with lines) or CONFIG_UNREADABLE. */
export function loadEdgeConfig(file: string): EdgeConfig {
  return parseEdgeConfig(readEdgeConfigText(file), file)
}

/** The config file's text; an unreadable file throws CONFIG_UNREADABLE with what to check. */
export function readEdgeConfigText(file: string): string {
  try {
    return readFileSync(file, 'utf8')
  } catch (err) {
    throw new ParklinkError(
      ErrorCodes.CONFIG_UNREADABLE,
      `cannot read edge configuration ${file}: ${errorMessage(err)}`,
      {
        hint: 'check the path given with --config and that the service user (parklink) may read it',
        cause: err,
      },
    )
  }
}

/** Validates config text; relative paths are resolved against the folder of `file`. */
export function parseEdgeConfig(text: string, file: string): EdgeConfig {
  return resolveEdgeConfig(
    parseConfig(EdgeConfigSchema, text, file, (raw) => expandProfiles(raw, file)),
    path.dirname(path.resolve(file)),
  )
}

/** Fills in the derived defaults and makes dataDir absolute (for configs built in code, e.g. the demo). */
export function resolveEdgeConfig(config: ParsedEdgeConfig, baseDir: string): EdgeConfig {
  return {
    ...config,
    dataDir: path.resolve(baseDir, config.dataDir),
    uplink: resolveUplink(config.uplink, config.edge, baseDir),
    crypto: resolveCryptoPaths(config.crypto, baseDir),
    ...(config.console?.tls
      ? { console: { ...config.console, tls: resolveTlsPaths(config.console.tls, baseDir) } }
      : {}),
    ...(config.storage ? { storage: resolveStorage(config.storage, baseDir) } : {}),
    ...(config.park ? { park: { publicKeyFile: path.resolve(baseDir, config.park.publicKeyFile) } } : {}),
  }
}

/** The mqtt uplink's settings, or null when the edge uses another kind (AWS IoT Core). */
export const mqttUplinkOf = (config: EdgeConfig): MqttUplinkConfig | null =>
  config.uplink.kind === 'aws-iot' ? null : config.uplink

/** Where the uplink connects, for logs: the broker URL or the IoT endpoint. */
export const uplinkEndpoint = (u: EdgeConfig['uplink']): string =>
  u.kind === 'aws-iot' ? `mqtts://${u.endpoint}:${u.port}` : u.url

/** The client id (an IoT thing's is its name) and absolute paths of the certificate files. */
function resolveUplink(u: ParsedEdgeConfig['uplink'], edge: string, baseDir: string): EdgeConfig['uplink'] {
  if (u.kind === 'aws-iot')
    return {
      ...u,
      clientId: u.thingName,
      ...resolveTlsPaths({ cert: u.cert, key: u.key, ...(u.ca === undefined ? {} : { ca: u.ca }) }, baseDir),
    }
  return {
    ...u,
    clientId: u.clientId ?? u.username ?? `parklink-edge-${edge}`,
    ...(u.tls ? { tls: resolveTlsPaths(u.tls, baseDir) } : {}),
  }
}

/** The broker password from the environment variable the config names; unset is a config error. */
export function uplinkPassword(config: EdgeConfig, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const name = config.uplink.kind === 'aws-iot' ? undefined : config.uplink.passwordEnv
  if (name === undefined) return undefined
  const value = env[name]
  if (value === undefined || value === '') {
    throw new ParklinkError(
      ErrorCodes.CONFIG_INVALID,
      `uplink.passwordEnv names ${name}, but that environment variable is not set`,
      {
        hint: `set ${name} (for systemd: in /etc/parklink/edge.env) or remove uplink.passwordEnv`,
      },
    )
  }
  return value
}

/**
 * sha256 of the config as JSON with keys sorted, announced in the birth message so the cloud
 * can tell which configuration an edge runs. Password-related fields are left out.
 */
export function configHash(config: EdgeConfig): string {
  return createHash('sha256').update(canonicalJson(config)).digest('hex')
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value)
      .filter(([k, v]) => v !== undefined && !/password/i.test(k))
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`
  }
  return JSON.stringify(value) ?? 'null'
}
