import { isInsecureRemote } from '../../shared/transport.ts'
import type { z } from 'zod'
import type { CloudConfigSchema } from '../../cloud/config.ts'
import type { EdgeConfigInput } from '../../edge/config.ts'
import { GALLERY_UNITS } from '../../test/sim/gallery.ts'
import { fuqiangOpcuaPoints } from '../../test/sim/opcua-points.ts'
import { PLANT_UNITS, shilianPlantPoints, type PlantPoint } from '../../test/sim/plant.ts'

/**
 * The demo's (and the end-to-end test's) configurations, generated from the plant's point map,
 * so the edge's register map and the cloud's registry can never disagree with the simulator.
 * They are plain config documents: the same schemas validate them as any file a technician writes.
 */
/** A broker login for a generated config: the user name and the variable that will hold its password. */
export interface MqttLogin {
  username: string
  passwordEnv: string
}

export interface EdgeDemoOptions {
  site: string
  edge: string
  dataDir: string
  mqttUrl: string
  plantPort: number
  pollMs?: number
  /** Adds a device on this port where nothing listens: an unreachable PLC. */
  absentDevicePort?: number
  /** Short timeouts and heartbeats, for tests that stop brokers and kill processes. */
  fastTimeouts?: boolean
  mqttLogin?: MqttLogin
}

const modbusPoint = (p: PlantPoint) => ({
  id: p.id,
  name: p.name,
  ...(p.unit ? { unit: p.unit } : {}),
  address: p.address,
  type: p.type,
  ...(p.order ? { order: p.order } : {}),
  ...(p.scale !== undefined ? { scale: p.scale } : {}),
})

export function edgeConfigFor(o: EdgeDemoOptions): EdgeConfigInput {
  const pollMs = o.pollMs ?? 1_000
  const timeoutMs = o.fastTimeouts ? 500 : 1_000
  const device = (id: string, which: PlantPoint['device']) => ({
    id,
    kind: 'modbus-tcp' as const,
    host: '127.0.0.1',
    port: o.plantPort,
    unitId: PLANT_UNITS[which],
    pollMs,
    timeoutMs,
    points: shilianPlantPoints.filter((p) => p.device === which).map(modbusPoint),
  })
  const devices = [device('shilian-dcs', 'dcs'), device('shilian-gds', 'gds')]
  if (o.absentDevicePort !== undefined) {
    devices.push({
      id: 'shilian-absent',
      kind: 'modbus-tcp',
      host: '127.0.0.1',
      port: o.absentDevicePort,
      unitId: 1,
      pollMs,
      timeoutMs,
      points: [{ id: 'shilian.absent.level', name: '离线测试点', unit: 'm', address: 'hr0', type: 'float32' }],
    })
  }
  return {
    site: o.site,
    edge: o.edge,
    dataDir: o.dataDir,
    // The plant alarms locally too (same rules and limits as the registry) while its uplink is down.
    alarms: {
      points: shilianPlantPoints.filter((p) => p.limits).map((p) => ({ id: p.id, class: p.class, limits: p.limits! })),
    },
    uplink: {
      ...demoBrokerUrl(o.mqttUrl),
      ...o.mqttLogin,
      ...(o.fastTimeouts
        ? { ackTimeoutMs: 2_000, heartbeatMs: 1_000, reconnectMinMs: 100, reconnectMaxMs: 1_000, keepaliveS: 5 }
        : {}),
    },
    devices,
  }
}

export interface CloudDemoOptions {
  dataDir: string
  httpPort: number
  mqttUrl: string
  /** Without mqttLogin (with one, the client id is its user name). */
  clientId?: string
  mqttLogin?: MqttLogin
  host?: string
}

export function cloudConfigFor(o: CloudDemoOptions): z.input<typeof CloudConfigSchema> {
  return {
    dataDir: o.dataDir,
    http: { host: o.host ?? '127.0.0.1', port: o.httpPort },
    mqtt: {
      ...demoBrokerUrl(o.mqttUrl),
      ...(o.mqttLogin ? o.mqttLogin : { clientId: o.clientId ?? 'parklink-cloud' }),
      reconnectPeriodMs: 500,
    },
    edgeOfflineAfterMs: 30_000,
    registry: {
      enterprises: [{ id: 'shilian', name: '实联化工' }, ...moreRegistry().enterprises],
      points: [
        ...shilianPlantPoints.map((p) => ({
          id: p.id,
          name: p.name,
          ...(p.unit ? { unit: p.unit } : {}),
          enterprise: 'shilian',
          class: p.class,
          ...(p.limits ? { limits: p.limits } : {}),
          // The high-high level switch: a digital alarm while it is tripped.
          ...(p.id === 'shilian.tk101.lshh' ? { rules: { digital: { alarmOn: true } } } : {}),
          ...shilianIndicator(p),
        })),
        ...moreRegistry().points,
      ],
      devices: demoDevices,
      // The demo's first start: each simulated edge claims the points it sends first (issue 13).
      // A park binds edges and points in the registry and keeps the default, strict.
      claimUnknownPoints: 'open',
    },
  }
}

// ---- 富强新材料 Fuqiang New Materials: a DCS behind OPC UA -------------------------------------

/** The OPC UA simulator's node key (TK201.Level) → the park's point id (fuqiang.tk201.level). */
export const fuqiangPointId = (key: string) => `fuqiang.${key.toLowerCase()}`

export function fuqiangEdgeConfig(o: {
  site: string
  dataDir: string
  mqttUrl: string
  endpoint: string
  mqttLogin?: MqttLogin
}): EdgeConfigInput {
  return {
    site: o.site,
    edge: 'fuqiang-01',
    dataDir: o.dataDir,
    uplink: { ...demoBrokerUrl(o.mqttUrl), ...o.mqttLogin },
    devices: [
      {
        id: 'fuqiang-dcs',
        kind: 'opcua',
        endpoint: o.endpoint,
        // Demo only: the simulator makes a new certificate at each start. On site, trust the DCS
        // server's certificate by moving it from pki/rejected to pki/trusted/certs.
        acceptUnknownServerCertificate: true,
        publishingIntervalMs: 1_000,
        samplingIntervalMs: 500,
        points: fuqiangOpcuaPoints.map((p) => ({ id: fuqiangPointId(p.key), nodeId: p.nodeId, name: p.name })),
      },
    ],
  }
}

// ---- The park's own edge on the pipe gallery and the environment station ---------------------

export const GALLERY_SEGMENT = 'PG-01'
const gauge = (role: 'b' | 'm1' | 'm2') => `park.pg01.${role}`
export const galleryPoints = { base: `${gauge('b')}.level`, m1: `${gauge('m1')}.level`, m2: `${gauge('m2')}.level` }
export const HJ212_MN = 'A3208000000001'
/** The variable holding the demo instrument's PW (a fresh one per demo run). */
export const HJ212_PASSWORD_ENV = 'PARKLINK_DEMO_HJ212_PASSWORD'

/**
 * A raw config document (a technician's YAML as an object): the gauges name the
 * static-level-gauge profile instead of repeating its register map.
 */
/** The park's own camera on the pipe gallery (a simulated ONVIF camera in the demo). */
export const DEMO_CAMERA = { id: 'park-cam-pg01', passwordEnv: 'PARKLINK_DEMO_CAMERA_PASSWORD' }

export function parkEdgeConfig(o: {
  site: string
  dataDir: string
  mqttUrl: string
  galleryPort: number
  hj212Port: number
  camera?: { host: string; port: number }
  mqttLogin?: MqttLogin
}): Record<string, unknown> {
  const gaugeUnit = (role: 'b' | 'm1' | 'm2', unitId: number) => ({
    unitId,
    pollMs: 1_000,
    timeoutMs: 500,
    profile: 'static-level-gauge',
    prefix: gauge(role),
  })
  return {
    site: o.site,
    edge: 'park-01',
    dataDir: o.dataDir,
    uplink: { ...demoBrokerUrl(o.mqttUrl), ...o.mqttLogin },
    devices: [
      // The gauges sit on RS485 behind a serial device server (Modbus TCP → RTU gateway).
      {
        id: 'pg01-gateway',
        kind: 'modbus-gateway',
        host: '127.0.0.1',
        port: o.galleryPort,
        units: [
          gaugeUnit('b', GALLERY_UNITS.base),
          gaugeUnit('m1', GALLERY_UNITS.m1),
          gaugeUnit('m2', GALLERY_UNITS.m2),
        ],
      },
      {
        id: 'park-env',
        kind: 'hj212',
        host: '127.0.0.1',
        port: o.hj212Port,
        staleAfterMs: 30_000,
        instruments: [
          {
            mn: HJ212_MN,
            passwordEnv: HJ212_PASSWORD_ENV,
            points: [
              { id: 'park.ws01.cod', factor: 'w01018', name: '污水站出口COD', unit: 'mg/L' },
              { id: 'park.ws01.nh3n', factor: 'w21003', name: '污水站出口氨氮', unit: 'mg/L' },
              { id: 'park.ws01.ph', factor: 'w01001', name: '污水站出口pH' },
            ],
          },
        ],
      },
      ...(o.camera
        ? [
            {
              id: DEMO_CAMERA.id,
              kind: 'onvif',
              name: '管廊PG-01摄像机',
              host: o.camera.host,
              port: o.camera.port,
              username: 'admin',
              passwordEnv: DEMO_CAMERA.passwordEnv,
              area: GALLERY_SEGMENT,
              enterprise: 'park',
              healthIntervalMs: 5_000,
            },
          ]
        : []),
    ],
    // A short rate window so the demo shows a rate within 3 minutes (on site: the default 24 h).
    // The rate needs half the window, so gauge noise (±0.02 mm each, ±0.05 mm on a settlement)
    // moves it by at most 0.1 mm / 3 min ≈ 48 mm/d: under the demo's rate limits (moreRegistry).
    settlement: {
      segments: [{ id: GALLERY_SEGMENT, base: galleryPoints.base, points: [galleryPoints.m1, galleryPoints.m2] }],
      rateWindowH: 0.1,
    },
  }
}

// ---- Provincial exchange fields (issue 18: #152 indicators, #153 devices) ---------------------

/** Monitored substances of the demo (name, CAS). */
const SUBSTANCE = {
  NH3: { substance: '氨', cas: '7664-41-7' },
  H2: { substance: '氢气', cas: '1333-74-0' },
  CO: { substance: '一氧化碳', cas: '630-08-0' },
  Cl2: { substance: '氯', cas: '7782-50-5' },
} as const

/** The demo's monitoring devices: the plants' DCS and GDS, the gallery gateway, the park's gas scanner (#153). */
export const demoDevices = [
  { id: 'shilian-dcs', enterprise: 'shilian', name: '实联化工DCS', category: '01', lon: 119.0211, lat: 33.6012 },
  { id: 'shilian-gds', enterprise: 'shilian', name: '实联化工GDS', category: '02', lon: 119.0213, lat: 33.6014 },
  { id: 'fuqiang-dcs', enterprise: 'fuqiang', name: '富强新材料DCS', category: '01', lon: 119.0302, lat: 33.5951 },
  {
    id: 'pg01-gateway',
    enterprise: 'park',
    name: '管廊PG-01静力水准采集网关',
    category: '05',
    lon: 119.0251,
    lat: 33.5987,
  },
  { id: 'park-env', enterprise: 'park', name: '污水站在线监测仪', category: '99', lon: 119.0188, lat: 33.5932 },
  {
    id: 'park-gas-scan-01',
    enterprise: 'park',
    name: '园区激光气体速扫设备01',
    category: '04',
    type: '02',
    lon: 119.0262,
    lat: 33.5999,
    coverageRadiusM: 500,
    commissionedOn: '2025-06-01',
    location: '管廊PG-01北侧',
  },
]

/** Shilian's points: liquid ammonia in the tanks, the gas each detector reads. */
function shilianIndicator(p: PlantPoint) {
  const gas = /\.gt\d+\.(\w+)$/.exec(p.id)?.[1]
  const which =
    gas === 'nh3' ? SUBSTANCE.NH3 : gas === 'h2' ? SUBSTANCE.H2 : gas === 'co' ? SUBSTANCE.CO : SUBSTANCE.NH3
  return { ...which, device: p.device === 'gds' ? 'shilian-gds' : 'shilian-dcs' }
}

/** Registry entries of the second enterprise and of the park's own points. */
export function moreRegistry() {
  // Tuned to the gauges' noise (issue 14: a rate limit inside the noise chattered 613 times in
  // 22 minutes). Settlement: a deadband of 4× its noise (±0.05 mm). Rate: the demo's gallery
  // sinks at a demo speed (deploy/demo/scenario.ts: 0.25 mm/min = 360 mm/d), so its limits are
  // scaled with it: ±100 mm/d, clear below 80, held 60 s before it raises; noise reaches 48 at
  // most. On site (24 h window, noise ≈ 0.1 mm/d) the usual limits are 1–3 mm/d.
  const settlement = (p: string, name: string) => [
    {
      id: `${p}.settlement`,
      name: `${name}累计沉降`,
      unit: 'mm',
      enterprise: 'park',
      class: 'general' as const,
      limits: { hh: 20, h: 10, l: -10, ll: -20, deadband: 0.2 },
      substance: '管廊基础沉降',
      device: 'pg01-gateway',
    },
    {
      id: `${p}.rate`,
      name: `${name}沉降速率`,
      unit: 'mm/d',
      enterprise: 'park',
      class: 'general' as const,
      limits: { h: 100, l: -100, deadband: 20 },
      rules: { onDelayS: 60 },
      substance: '管廊基础沉降',
      device: 'pg01-gateway',
    },
  ]
  return {
    enterprises: [
      { id: 'fuqiang', name: '富强新材料' },
      { id: 'park', name: '园区公共设施' },
    ],
    points: [
      // The control room's limits (OPC UA limit alarms) drive the park's alarms for these.
      ...fuqiangOpcuaPoints.map((p) => ({
        id: fuqiangPointId(p.key),
        name: p.name,
        unit: p.unit,
        enterprise: 'fuqiang',
        class: p.key.startsWith('GT') ? ('gas' as const) : ('mhs' as const),
        limitsFromSource: true,
        limits: { deadband: p.key.startsWith('GT') ? 0.05 : 0.02 },
        ...(p.key.startsWith('GT') ? SUBSTANCE.Cl2 : { substance: '液氯', cas: SUBSTANCE.Cl2.cas }),
        device: 'fuqiang-dcs',
      })),
      ...settlement(galleryPoints.m1, '管廊PG-01 M1'),
      ...settlement(galleryPoints.m2, '管廊PG-01 M2'),
      {
        id: 'park.ws01.cod',
        name: '污水站出口COD',
        unit: 'mg/L',
        enterprise: 'park',
        class: 'general' as const,
        limits: { hh: 100, h: 50, deadband: 1 },
        substance: '化学需氧量',
        device: 'park-env',
      },
      {
        id: 'park.ws01.nh3n',
        name: '污水站出口氨氮',
        unit: 'mg/L',
        enterprise: 'park',
        class: 'general' as const,
        limits: { hh: 8, h: 5, deadband: 0.1 },
        substance: '氨氮',
        device: 'park-env',
      },
      {
        id: 'park.ws01.ph',
        name: '污水站出口pH',
        unit: '',
        enterprise: 'park',
        class: 'general' as const,
        limits: { h: 9, l: 6, deadband: 0.1 },
        substance: 'pH',
        device: 'park-env',
      },
    ],
  }
}

/**
 * The demo's embedded broker speaks plain MQTT; on a LAN address (--mqtt-host) that is refused
 * unless allowed (shared/transport.ts), so the demo allows it, and every start warns.
 */
function demoBrokerUrl(url: string): { url: string; allowInsecure?: true } {
  return isInsecureRemote(url) ? { url, allowInsecure: true } : { url }
}
