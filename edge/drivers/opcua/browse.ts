import {
  AttributeIds,
  BrowseDirection,
  DataType,
  NodeClass,
  NodeId,
  ReferenceTypeIds,
  type ClientSession,
  type ReferenceDescription,
} from 'node-opcua'
import type { Logger } from 'pino'
import type { OpcuaDeviceConfig } from './config.ts'
import { ErrorCodes, ParklinkError } from '../../../shared/errors.ts'
import { connect, pkiFolder, userIdentity } from './connection.ts'
import { explainOpcuaFailure } from './failure.ts'
import { readMetadata } from './metadata.ts'

/**
 * The address space as a plain tree, for a technician choosing node ids (the CLI's
 * `parklink edge browse`). Bounded in depth and in nodes, since a DCS server may hold
 * hundreds of thousands.
 */
export interface BrowseNode {
  nodeId: string
  browseName: string
  displayName: string
  nodeClass: string
  /** How the parent references it: a HasProperty (EURange, a limit of an alarm …) or another hierarchical reference. */
  reference?: 'property' | 'other'
  /** The node's type definition (e.g. i=9341 for an ExclusiveLimitAlarmType instance). */
  typeDefinition?: string
  /** Variables only: the built-in data type name (e.g. Double). */
  dataType?: string
  /** Variables only, where the server exposes them: engineering unit, EURange, HH/H/L/LL. */
  unit?: string
  range?: { low: number; high: number }
  limits?: { hh?: number; h?: number; l?: number; ll?: number }
  children: BrowseNode[]
}

export interface BrowseOptions {
  /** Where to start (default the Objects folder, i=85). */
  nodeId?: string
  depth?: number
  maxNodes?: number
}

export async function browseTree(
  session: ClientSession,
  options: BrowseOptions = {},
): Promise<{ root: BrowseNode; truncated: boolean }> {
  const maxNodes = options.maxNodes ?? 5_000
  let count = 0
  let truncated = false
  const start = NodeId.resolveNodeId(options.nodeId ?? 'i=85')
  const [nameDv, displayDv, classDv] = await session.read(
    [AttributeIds.BrowseName, AttributeIds.DisplayName, AttributeIds.NodeClass].map((attributeId) => ({
      nodeId: start,
      attributeId,
    })),
  )
  // A start node the server does not have is an error, not an empty tree (issue 19).
  if (nameDv && !nameDv.statusCode.isGood())
    throw new ParklinkError(
      ErrorCodes.NOT_FOUND,
      `the server has no node ${start.toString()} (${nameDv.statusCode.name})`,
      {
        hint: 'browse from the Objects folder (leave out --node) and pick a node id from the tree',
      },
    )
  const root: BrowseNode = {
    nodeId: start.toString(),
    browseName: String(nameDv?.value.value?.toString() ?? ''),
    displayName: String(displayDv?.value.value?.text ?? ''),
    nodeClass: NodeClass[classDv?.value.value as number] ?? 'Unspecified',
    children: [],
  }
  let level: BrowseNode[] = [root]
  for (let depth = 0; depth < (options.depth ?? 3) && level.length > 0; depth++) {
    const results = await session.browse(
      level.map((n) => ({
        nodeId: n.nodeId,
        referenceTypeId: 'HierarchicalReferences',
        browseDirection: BrowseDirection.Forward,
        includeSubtypes: true,
        resultMask: 0x3f,
      })),
    )
    const next: BrowseNode[] = []
    const variables: BrowseNode[] = []
    results.forEach((r, i) => {
      for (const ref of (r.references ?? []) as ReferenceDescription[]) {
        if (count >= maxNodes) {
          truncated = true
          return
        }
        count++
        const child: BrowseNode = {
          nodeId: ref.nodeId.toString(),
          browseName: ref.browseName.toString(),
          displayName: ref.displayName.text ?? '',
          nodeClass: NodeClass[ref.nodeClass] ?? 'Unspecified',
          reference:
            ref.referenceTypeId.namespace === 0 && ref.referenceTypeId.value === ReferenceTypeIds.HasProperty
              ? 'property'
              : 'other',
          ...(ref.typeDefinition && !ref.typeDefinition.isEmpty()
            ? { typeDefinition: ref.typeDefinition.toString() }
            : {}),
          children: [],
        }
        level[i]!.children.push(child)
        next.push(child)
        if (ref.nodeClass === NodeClass.Variable) variables.push(child)
      }
    })
    if (variables.length > 0) {
      const types = await session.read(variables.map((v) => ({ nodeId: v.nodeId, attributeId: AttributeIds.DataType })))
      types.forEach((dv, i) => {
        const t = dv.value.value as NodeId | null
        if (t instanceof NodeId && t.namespace === 0 && typeof t.value === 'number' && DataType[t.value])
          variables[i]!.dataType = DataType[t.value]
      })
    }
    level = next
  }
  const variables: BrowseNode[] = []
  const walk = (n: BrowseNode) => {
    if (n.nodeClass === 'Variable' && n.dataType && !n.browseName.startsWith('0:')) variables.push(n)
    n.children.forEach(walk)
  }
  walk(root)
  if (variables.length > 0) {
    const meta = await readMetadata(
      session,
      variables.map((v) => v.nodeId),
    ).catch(() => [])
    meta.forEach((m, i) => Object.assign(variables[i]!, m))
  }
  return { root, truncated }
}

/** Connects with the device's configuration, browses, disconnects. */
export async function browseOpcua(
  config: OpcuaDeviceConfig,
  options: BrowseOptions & { dataDir?: string; log: Logger },
): Promise<{ root: BrowseNode; truncated: boolean }> {
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
    return await browseTree(c.session, options)
  } finally {
    await c.close()
  }
}
