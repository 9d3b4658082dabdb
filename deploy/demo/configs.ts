import type { z } from 'zod'
import type { CloudConfigSchema } from '../../cloud/config.ts'
import type { EdgeConfigInput } from '../../edge/config.ts'
import { PLANT_UNITS, shilianPlantPoints, type PlantPoint } from '../../test/sim/plant.ts'

/**
 * The demo's (and the end-to-end test's) configurations, generated from the plant's point map,
 * so the edge's register map and the cloud's registry can never disagree with the simulator.
 * They are plain config documents: the same schemas validate them as any file a technician writes.
 */
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
      id: 'shilian-absent', kind: 'modbus-tcp', host: '127.0.0.1', port: o.absentDevicePort, unitId: 1, pollMs, timeoutMs,
      points: [{ id: 'shilian.absent.level', name: '离线测试点', unit: 'm', address: 'hr0', type: 'float32' }],
    })
  }
  return {
    site: o.site,
    edge: o.edge,
    dataDir: o.dataDir,
    uplink: {
      url: o.mqttUrl,
      ...(o.fastTimeouts ? { ackTimeoutMs: 2_000, heartbeatMs: 1_000, reconnectMinMs: 100, reconnectMaxMs: 1_000, keepaliveS: 5 } : {}),
    },
    devices,
  }
}

export interface CloudDemoOptions {
  dataDir: string
  httpPort: number
  mqttUrl: string
  clientId: string
  host?: string
}

export function cloudConfigFor(o: CloudDemoOptions): z.input<typeof CloudConfigSchema> {
  return {
    dataDir: o.dataDir,
    http: { host: o.host ?? '127.0.0.1', port: o.httpPort },
    mqtt: { url: o.mqttUrl, clientId: o.clientId, reconnectPeriodMs: 500 },
    edgeOfflineAfterMs: 30_000,
    registry: {
      enterprises: [{ id: 'shilian', name: '实联化工' }],
      points: shilianPlantPoints.map((p) => ({
        id: p.id,
        name: p.name,
        ...(p.unit ? { unit: p.unit } : {}),
        enterprise: 'shilian',
        class: p.class,
        ...(p.limits ? { limits: p.limits } : {}),
      })),
    },
  }
}
