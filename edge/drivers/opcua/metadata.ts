import { AttributeIds, BrowseDirection, makeBrowsePath, NodeId, type ClientSession, type NodeIdLike } from 'node-opcua'
import type { PointRange, SourceLimits } from '../../../shared/wire/messages.ts'

/**
 * What a DCS knows about its points, read once per connection so the park's thresholds can
 * stay equal to the control room's (brief §2):
 * - EURange and EngineeringUnits of AnalogItemType variables (Part 8 §5.3.2);
 * - HH/H/L/LL of the limit alarms (Part 9 §5.8.17–18) whose InputNode is the variable. Alarms
 *   belong to a condition source (HasCondition), usually the equipment object the variable
 *   sits in, so the variable's own conditions and its parent's are searched.
 * Everything is batched: a fixed number of round trips whatever the number of points.
 */
export interface NodeMetadata {
  unit?: string
  range?: PointRange
  limits?: SourceLimits
}

const LIMITS = [
  ['hh', 'HighHighLimit'],
  ['h', 'HighLimit'],
  ['l', 'LowLimit'],
  ['ll', 'LowLowLimit'],
] as const

async function translate(session: ClientSession, paths: Array<[NodeIdLike, string]>): Promise<Array<NodeId | null>> {
  if (paths.length === 0) return []
  const results = await session.translateBrowsePath(paths.map(([node, p]) => makeBrowsePath(node, p)))
  return results.map((r) => (r.statusCode.isGood() && r.targets?.[0] ? (r.targets[0].targetId as NodeId) : null))
}

async function readValues(session: ClientSession, nodes: Array<NodeId | null>): Promise<unknown[]> {
  const present = nodes.map((n, i) => [n, i] as const).filter((x): x is readonly [NodeId, number] => x[0] !== null)
  const out: unknown[] = nodes.map(() => undefined)
  if (present.length === 0) return out
  const values = await session.read(present.map(([nodeId]) => ({ nodeId, attributeId: AttributeIds.Value })))
  values.forEach((dv, j) => {
    if (dv.statusCode.isGood()) out[present[j]![1]] = dv.value.value
  })
  return out
}

async function browseTargets(
  session: ClientSession,
  nodes: NodeIdLike[],
  referenceTypeId: string,
  direction: BrowseDirection,
): Promise<NodeId[][]> {
  if (nodes.length === 0) return []
  const results = await session.browse(
    nodes.map((nodeId) => ({
      nodeId,
      referenceTypeId,
      browseDirection: direction,
      includeSubtypes: true,
      resultMask: 0x3f,
    })),
  )
  return results.map((r) => (r.statusCode.isGood() ? (r.references ?? []).map((ref) => ref.nodeId) : []))
}

const finite = (x: unknown): number | undefined => (typeof x === 'number' && Number.isFinite(x) ? x : undefined)

export async function readMetadata(session: ClientSession, nodeIds: readonly string[]): Promise<NodeMetadata[]> {
  const ids = nodeIds.map((n) => NodeId.resolveNodeId(n))
  const out: NodeMetadata[] = ids.map(() => ({}))

  // 1. EURange and EngineeringUnits.
  const props = await translate(
    session,
    ids.flatMap(
      (id) =>
        [
          [id, '.EURange'],
          [id, '.EngineeringUnits'],
        ] as Array<[NodeId, string]>,
    ),
  )
  const values = await readValues(session, props)
  ids.forEach((_, i) => {
    const range = values[2 * i] as { low?: unknown; high?: unknown } | undefined
    const low = finite(range?.low)
    const high = finite(range?.high)
    if (low !== undefined && high !== undefined && high > low) out[i]!.range = { low, high }
    const eu = values[2 * i + 1] as { displayName?: { text?: string | null } } | undefined
    const text = eu?.displayName?.text
    if (typeof text === 'string' && text.length > 0 && text.length <= 32) out[i]!.unit = text
  })

  // 2. Candidate conditions: of the variable itself and of its parent (the equipment).
  const parents = await browseTargets(session, ids, 'HierarchicalReferences', BrowseDirection.Inverse)
  const sources = [...new Map([...ids, ...parents.flat()].map((n) => [n.toString(), n])).values()]
  const conditionsBySource = new Map<string, NodeId[]>()
  const found = await browseTargets(session, sources, 'HasCondition', BrowseDirection.Forward)
  sources.forEach((s, i) => conditionsBySource.set(s.toString(), found[i] ?? []))
  const conditions = [...new Map([...conditionsBySource.values()].flat().map((c) => [c.toString(), c])).values()]
  if (conditions.length === 0) return out

  // 3. Each condition's InputNode and limits, in one translate and one read.
  const fields = ['InputNode', ...LIMITS.map(([, name]) => name)]
  const condValues = await readValues(
    session,
    await translate(
      session,
      conditions.flatMap((c) => fields.map((f) => [c, `.${f}`] as [NodeId, string])),
    ),
  )
  const limitsByInput = new Map<string, SourceLimits>()
  conditions.forEach((_, i) => {
    const base = i * fields.length
    const input = condValues[base]
    if (!(input instanceof NodeId)) return
    const limits: SourceLimits = {}
    LIMITS.forEach(([key], k) => {
      const v = finite(condValues[base + 1 + k])
      if (v !== undefined) limits[key] = v
    })
    if (Object.keys(limits).length > 0)
      limitsByInput.set(input.toString(), { ...limitsByInput.get(input.toString()), ...limits })
  })
  ids.forEach((id, i) => {
    const limits = limitsByInput.get(id.toString())
    if (limits) out[i]!.limits = limits
  })
  return out
}
