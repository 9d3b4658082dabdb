import { ErrorCodes, ParklinkError } from '../../shared/errors.ts'
import { devicePoints, type EdgeConfig } from '../config.ts'
import type { ModbusPointConfig } from '../drivers/modbus/config.ts'
import type { OpcuaDeviceConfig, OpcuaPointConfig } from '../drivers/opcua/config.ts'
import type { ModbusReadSpec } from './read-point.ts'

/**
 * `parklink edge read point ID --config FILE`: where and how the configured point is read —
 * its device's connection, unit id and timeout, the point's type, byte order (the point's, else
 * its unit's, else its device's), scale and offset — so the one live read decodes exactly as
 * the agent does.
 */
export interface PointRead {
  device: string
  name?: string
  unit?: string
  spec: ModbusReadSpec
}

/** The OPC UA device and point of `id`, when it is an OPC UA point (read by edge/drivers/opcua/read-once.ts). */
export function opcuaPointOf(
  config: EdgeConfig,
  id: string,
): { device: OpcuaDeviceConfig; point: OpcuaPointConfig } | null {
  for (const d of config.devices) {
    if (d.kind !== 'opcua') continue
    const point = d.points.find((p) => p.id === id)
    if (point) return { device: d, point }
  }
  return null
}

export function pointReadSpec(config: EdgeConfig, id: string): PointRead {
  for (const d of config.devices) {
    const found = devicePoints(d).some((p) => p.id === id)
    if (!found) continue
    if (d.kind === 'modbus-tcp')
      return build(
        d.id,
        d.points.find((p) => p.id === id)!,
        { tcp: { host: d.host, port: d.port } },
        d.unitId,
        d.timeoutMs,
        d.order,
      )
    if (d.kind === 'modbus-gateway' || d.kind === 'modbus-rtu' || d.kind === 'modbus-rtu-over-tcp') {
      const u = d.units.find((x) => x.points.some((p) => p.id === id))!
      const target = lineTarget(d)
      return build(d.id, u.points.find((p) => p.id === id)!, target, u.unitId, u.timeoutMs, u.order ?? d.order)
    }
    throw new ParklinkError(
      ErrorCodes.BAD_REQUEST,
      `point ${id} is on ${d.kind} device ${d.id}: read point reads Modbus points`,
      {
        hint:
          d.kind === 'opcua'
            ? 'look at it with: parklink edge browse opcua ENDPOINT --node NODE_ID'
            : 'its instrument sends data by itself: see it in parklink edge status or the local console',
      },
    )
  }
  const known = config.devices.flatMap((d) => devicePoints(d).map((p) => p.id))
  const close = known.filter((k) => k.includes(id) || id.includes(k)).slice(0, 5)
  throw new ParklinkError(ErrorCodes.NOT_FOUND, `no point "${id}" in the config (${known.length} points)`, {
    hint:
      close.length > 0
        ? `did you mean ${close.join(', ')}?`
        : 'point ids are under devices[].points[].id (parklink edge validate lists problems)',
  })
}

/** Where a line of slaves is reached: a gateway or a transparent serial server over TCP, or a serial port. */
function lineTarget(
  d: Extract<EdgeConfig['devices'][number], { kind: 'modbus-gateway' | 'modbus-rtu' | 'modbus-rtu-over-tcp' }>,
): ModbusReadSpec['target'] {
  switch (d.kind) {
    case 'modbus-gateway':
      return { tcp: { host: d.host, port: d.port } }
    case 'modbus-rtu-over-tcp':
      return { rtuOverTcp: { host: d.host, port: d.port } }
    case 'modbus-rtu': {
      const { port: path, baudRate, parity, dataBits, stopBits } = d
      return { serial: { path, baudRate, parity, dataBits, stopBits } }
    }
  }
}

function build(
  device: string,
  p: ModbusPointConfig,
  target: ModbusReadSpec['target'],
  unitId: number,
  timeoutMs: number,
  order: ModbusReadSpec['order'],
): PointRead {
  return {
    device,
    ...(p.name ? { name: p.name } : {}),
    ...(p.unit ? { unit: p.unit } : {}),
    spec: {
      target,
      unitId,
      timeoutMs,
      address: p.address,
      order: p.order ?? order,
      scale: p.scale,
      offset: p.offset,
      ...(p.type ? { type: p.type } : {}),
      ...(p.length !== undefined ? { length: p.length } : {}),
      ...(p.bit !== undefined ? { bit: p.bit } : {}),
    },
  }
}
