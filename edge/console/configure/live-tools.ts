import path from 'node:path'
import type { Logger } from 'pino'
import type { EdgeConfig } from '../../config.ts'
import type { OpcuaDeviceConfig } from '../../drivers/opcua/config.ts'
import { opcuaPointOf, pointReadSpec } from '../../tools/point-spec.ts'
import { readModbusAddress } from '../../tools/read-point.ts'
import { scanModbus, type ScanResult } from '../../tools/scan-modbus.ts'

/**
 * The console's live reads, through the very functions `parklink edge read point`, `scan modbus`
 * and `browse opcua` use (edge/tools/, edge/drivers/opcua/): a value test-read here is decoded
 * exactly as the agent will decode it. All of them only read; none writes to a device.
 */
export interface TestReadResult {
  point: string
  device: string
  quality: 'good' | 'uncertain' | 'bad'
  value: unknown
  reason?: string
  /** Modbus: the registers as received. */
  raw?: string[]
  /** OPC UA: the node's data type, status and unit. */
  dataType?: string | null
  status?: string
  unit?: string | null
}

export async function testReadPoint(config: EdgeConfig, id: string, log: Logger): Promise<TestReadResult> {
  const opcua = opcuaPointOf(config, id)
  if (opcua) {
    const { readOpcuaPoint } = await import('../../drivers/opcua/read-once.ts')
    const r = await readOpcuaPoint(opcua.device, opcua.point, {
      dataDir: path.join(config.dataDir, 'devices', opcua.device.id),
      log,
      now: Date.now,
    })
    return {
      point: id,
      device: opcua.device.id,
      quality: r.sample.quality,
      value: r.sample.value,
      ...(r.sample.quality !== 'good' && r.sample.reason ? { reason: r.sample.reason } : {}),
      dataType: r.dataType,
      status: r.status,
      unit: r.unit ?? null,
    }
  }
  const p = pointReadSpec(config, id)
  const r = await readModbusAddress(p.spec)
  return { point: id, device: p.device, ...r, unit: p.unit ?? null }
}

/** Which unit ids answer on a Modbus TCP device (a gateway, a PLC): the CLI's scan, with its progress. */
export function scanModbusTcp(
  target: { host: string; port: number },
  units: readonly number[],
  timeoutMs: number,
  onProgress: (done: number, total: number) => void,
): Promise<ScanResult> {
  return scanModbus({ tcp: target }, units, timeoutMs, onProgress)
}

/** The variables under a node of an OPC UA server (the CLI's browse), flattened for a pick list. */
export async function browseVariables(
  device: OpcuaDeviceConfig,
  dataDir: string,
  log: Logger,
  nodeId?: string,
): Promise<{
  variables: Array<{ nodeId: string; name: string; dataType?: string; unit?: string }>
  truncated: boolean
}> {
  const { browseOpcua } = await import('../../drivers/opcua/browse.ts')
  const { root, truncated } = await browseOpcua(device, {
    dataDir: path.join(dataDir, 'devices', device.id),
    log,
    depth: 4,
    maxNodes: 2_000,
    ...(nodeId ? { nodeId } : {}),
  })
  const variables: Array<{ nodeId: string; name: string; dataType?: string; unit?: string }> = []
  const walk = (n: typeof root, trail: string[]) => {
    const names = [...trail, n.displayName]
    if (n.nodeClass === 'Variable' && n.reference !== 'property')
      variables.push({
        nodeId: n.nodeId,
        name: names.slice(1).join('.'),
        ...(n.dataType ? { dataType: n.dataType } : {}),
        ...(n.unit ? { unit: n.unit } : {}),
      })
    for (const c of n.children) walk(c, names)
  }
  walk(root, [])
  return { variables, truncated }
}
