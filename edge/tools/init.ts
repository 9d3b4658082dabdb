import { Document } from 'yaml'
import type { ByteOrder, ModbusDataType } from '../drivers/modbus/config.ts'
import { EdgeConfigSchema, type EdgeConfigInput } from '../config.ts'

/**
 * `parklink edge init`: the technician's answers (from the wizard or from flags) → an edge
 * config. Pure: the command (deploy/init.ts) asks, checks the result with the same parser as
 * `parklink edge validate`, and writes it.
 */
export interface InitAnswers {
  site: string
  edge: string
  broker: string
  /** Broker user; its password is read from the variable `passwordEnv` names, never written. */
  username?: string
  passwordEnv?: string
  /** PEM files (paths as written: relative ones are relative to the config file): the park CA, and this edge's certificate and key. */
  tls?: { ca?: string; cert?: string; key?: string }
  dataDir: string
  /** A first Modbus TCP device with one point to check against the DCS screen (more come with import-points). */
  device?: {
    id: string
    host: string
    port: number
    unitId: number
    point: { id: string; name?: string; unit?: string; address: string; type?: ModbusDataType; order?: ByteOrder }
  }
  /** The local console on the plant LAN. */
  console?: { listen: string; passwordEnv: string }
}

/** Flags a script must give when nobody can be asked (no terminal, or --yes). */
export const REQUIRED_FLAGS = [
  ['site', '--site'],
  ['edge', '--edge'],
  ['broker', '--broker'],
] as const

export function missingFlags(given: Partial<Record<(typeof REQUIRED_FLAGS)[number][0], string | undefined>>): string[] {
  return REQUIRED_FLAGS.filter(([k]) => !given[k]).map(([, flag]) => flag)
}

export function configFromAnswers(a: InitAnswers): EdgeConfigInput {
  const d = a.device
  return {
    site: a.site,
    edge: a.edge,
    dataDir: a.dataDir,
    uplink: {
      url: a.broker,
      ...(a.username ? { username: a.username, passwordEnv: a.passwordEnv ?? 'PARKLINK_MQTT_PASSWORD' } : {}),
      ...(a.tls && Object.keys(a.tls).length > 0 ? { tls: { ...a.tls } } : {}),
    },
    devices: d
      ? [{ id: d.id, kind: 'modbus-tcp', host: d.host, port: d.port, unitId: d.unitId, points: [{ ...d.point }] }]
      : [],
    ...(a.console ? { console: { listen: a.console.listen, passwordEnv: a.console.passwordEnv } } : {}),
  }
}

/** Problems with the answers as `path: message` lines (empty when the config is valid). */
export function checkAnswers(a: InitAnswers): string[] {
  const r = EdgeConfigSchema.safeParse(configFromAnswers(a))
  return r.success ? [] : r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`)
}

/** The config file as YAML, with a header that says where secrets go and what to do next. */
export function renderConfig(a: InitAnswers, now: Date): string {
  const doc = new Document(configFromAnswers(a))
  const secrets = [
    a.passwordEnv && a.username ? a.passwordEnv : a.username ? 'PARKLINK_MQTT_PASSWORD' : null,
    a.console?.passwordEnv ?? null,
  ].filter(Boolean)
  doc.commentBefore = [
    ` parklink edge config, written by \`parklink edge init\` on ${now.toISOString()}.`,
    ' Check: parklink edge validate THIS_FILE   Schema: edge/config.ts',
    secrets.length > 0
      ? ` Secrets are not in this file: set ${secrets.join(', ')} in /etc/parklink/edge.env (root-only).`
      : a.tls?.cert
        ? ' The edge logs in with its certificate (uplink.tls); keep the key readable by the service user only.'
        : ' The broker takes no password: add uplink.username and passwordEnv (or uplink.tls) if the park requires them.',
    ' Points: parklink edge import-points TABLE.csv --config THIS_FILE (the enterprise data-access table).',
    ' Read-only toward the control system: no point is writable unless marked writable: true.',
  ].join('\n')
  return doc.toString({ lineWidth: 0 })
}
