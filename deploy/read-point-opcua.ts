import path from 'node:path'
import type { EdgeConfig } from '../edge/config.ts'
import type { OpcuaDeviceConfig, OpcuaPointConfig } from '../edge/drivers/opcua/config.ts'

/**
 * `parklink edge read point` for an OPC UA point: one read through the driver's own code
 * (edge/drivers/opcua/read-once.ts), with the edge's own PKI (dataDir/devices/ID/pki, so the
 * server certificate the agent trusts is trusted here too). Exit 1 when the value is not good;
 * a connection failure or a node the server lacks is thrown as a ParklinkError (one line, a code,
 * what to do; exit 1).
 */
export async function readOpcuaPointCommand(
  config: EdgeConfig,
  found: { device: OpcuaDeviceConfig; point: OpcuaPointConfig },
  json: boolean,
): Promise<void> {
  const { readOpcuaPoint } = await import('../edge/drivers/opcua/read-once.ts')
  const { createLogger } = await import('../edge/log.ts')
  const { withStdoutOnStderr } = await import('./quiet-stdout.ts')
  const { device, point } = found
  // node-opcua prints warnings on stdout: kept off it, so --json stays valid JSON.
  const r = await withStdoutOnStderr(() =>
    readOpcuaPoint(device, point, {
      dataDir: path.join(config.dataDir, 'devices', device.id),
      log: createLogger('parklink-read', 'silent'),
      now: Date.now,
    }),
  )
  const s = r.sample
  if (json)
    console.log(
      JSON.stringify({
        point: point.id,
        device: device.id,
        name: point.name ?? null,
        at: device.endpoint,
        nodeId: point.nodeId,
        quality: s.quality,
        value: s.value,
        ...(s.quality !== 'good' ? { reason: s.reason } : {}),
        type: r.dataType,
        unit: r.unit ?? null,
        range: r.range ?? null,
        status: r.status,
        sourceTime: iso(r.sourceTime),
        serverTime: iso(r.serverTime),
      }),
    )
  else {
    console.log(`${point.id}${point.name ? ` (${point.name})` : ''} on ${device.id} ${device.endpoint} ${point.nodeId}`)
    const range = r.range ? `   range ${r.range.low}…${r.range.high}` : ''
    console.log(
      s.quality === 'bad'
        ? `  no value: quality bad (${s.reason})   status ${r.status}`
        : `  value ${JSON.stringify(s.value)}${r.unit ? ` ${r.unit}` : ''}   ${r.dataType ?? 'unknown type'}${range}   quality ${s.quality}   status ${r.status}`,
    )
    console.log(`  source time ${iso(r.sourceTime) ?? '-'}   server time ${iso(r.serverTime) ?? '-'}`)
  }
  if (s.quality !== 'good') process.exitCode = 1
}

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString())
