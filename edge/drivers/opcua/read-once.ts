import { AttributeIds, DataType, NodeId, type ClientSession } from 'node-opcua'
import type { Logger } from 'pino'
import { ErrorCodes, ParklinkError } from '../../../shared/errors.ts'
import type { Sample } from '../../../shared/wire/sample.ts'
import type { OpcuaDeviceConfig, OpcuaPointConfig } from './config.ts'
import { connect, pkiFolder, userIdentity, withTimeout } from './connection.ts'
import { explainOpcuaFailure } from './failure.ts'
import { readMetadata, type NodeMetadata } from './metadata.ts'
import { toSample } from './sample.ts'

/**
 * One live read of one configured OPC UA point, for `parklink edge read point`: the sample as
 * the agent would send it (the driver's own toSample), beside what a technician compares with
 * the DCS screen — the node's data type, the StatusCode's name, source and server time, and the
 * unit and EURange the server declares (the driver's own readMetadata, Part 8 §5.3.2).
 */
export interface OpcuaReadOutcome extends NodeMetadata {
  sample: Sample
  /** Built-in data type of the node (e.g. Double), when the server says. */
  dataType: string | null
  /** The StatusCode's name, e.g. Good or BadSensorFailure. */
  status: string
  sourceTime: number | null
  serverTime: number | null
}

export async function readOpcuaPoint(
  config: OpcuaDeviceConfig,
  point: OpcuaPointConfig,
  options: { dataDir?: string; log: Logger; now: () => number },
): Promise<OpcuaReadOutcome> {
  const c = await connect({
    config,
    identity: userIdentity(config),
    dataDir: pkiFolder(options.dataDir, config.id, options.log),
    log: options.log,
    onLost: () => {},
  }).catch((err: unknown) => {
    throw explainOpcuaFailure(err, config.endpoint)
  })
  try {
    const [dv, typeDv] = await withTimeout(readValueAndType(c.session, point.nodeId), config.timeoutMs, 'reading')
    const code = dv!.statusCode.name
    // A node the server does not have is a config error, not a bad reading (issue 19).
    if (code === 'BadNodeIdUnknown' || code === 'BadNodeIdInvalid')
      throw new ParklinkError(ErrorCodes.NOT_FOUND, `${config.endpoint} has no node ${point.nodeId} (${code})`, {
        hint: `find the node id with: parklink edge browse opcua ${config.endpoint}, then fix point ${point.id}`,
      })
    const meta = (await readMetadata(c.session, [point.nodeId]).catch(() => []))[0] ?? {}
    const type = typeDv!.value.value as unknown
    const unit = point.unit ?? meta.unit
    return {
      sample: toSample(point.id, dv!, options.now()),
      dataType:
        type instanceof NodeId && type.namespace === 0 && typeof type.value === 'number'
          ? (DataType[type.value] ?? null)
          : null,
      status: dv!.statusCode.name,
      sourceTime: dv!.sourceTimestamp?.getTime() ?? null,
      serverTime: dv!.serverTimestamp?.getTime() ?? null,
      ...(unit ? { unit } : {}),
      ...(meta.range ? { range: meta.range } : {}),
      ...(meta.limits ? { limits: meta.limits } : {}),
    }
  } finally {
    await c.close()
  }
}

function readValueAndType(session: ClientSession, nodeId: string) {
  return session.read(
    [
      { nodeId, attributeId: AttributeIds.Value },
      { nodeId, attributeId: AttributeIds.DataType },
    ],
    0,
  )
}
