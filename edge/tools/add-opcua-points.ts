import { readFileSync } from 'node:fs'
import { ObjectTypeIds } from 'node-opcua'
import { isMap, isSeq, parseDocument, type YAMLMap, type YAMLSeq } from 'yaml'
import { ErrorCodes, ParklinkError } from '../../shared/errors.ts'
import { PointId } from '../../shared/wire/ids.ts'
import { parseEdgeConfig } from '../config.ts'
import type { BrowseNode } from '../drivers/opcua/browse.ts'
import { replaceConfigFile } from './config-file.ts'

/**
 * `parklink edge browse opcua ENDPOINT --node N --add --config FILE --device ID`: the process
 * values under a browsed node become points of an opcua device in the config, so a technician
 * picks a unit's tags without typing node ids.
 *
 * A process value is a Variable with a numeric or boolean data type that is not a property
 * (EURange, EngineeringUnits, an alarm's HighHighLimit …), not part of another variable, and not
 * inside an alarm or condition object (OPC UA Part 9: their states, severities and limits are
 * metadata of the value, which the driver reads by itself).
 */
const VALUE_TYPES = new Set([
  'Boolean',
  'SByte',
  'Byte',
  'Int16',
  'UInt16',
  'Int32',
  'UInt32',
  'Int64',
  'UInt64',
  'Float',
  'Double',
])
const CONDITION_TYPES = new Set(
  Object.entries(ObjectTypeIds)
    .filter(([name]) => /(Alarm|Condition)Type$/.test(name))
    .map(([, id]) => Number(id)),
)
/** A standard (namespace 0) alarm or condition type, however the node id is written. */
const isCondition = (typeDefinition: string | undefined) =>
  CONDITION_TYPES.has(Number(/^(?:ns=0;)?i=(\d+)$/.exec(typeDefinition ?? '')?.[1]))

export interface PickedPoint {
  id: string
  nodeId: string
  name?: string
  unit?: string
}

const slug = (s: string) =>
  s
    .replace(/^\d+:/, '')
    .replace(/[^A-Za-z0-9_-]+/g, '_')
    .replace(/^_+|_+$/g, '')
    .toLowerCase()

/** The process values under `root`, named `{prefix}.{path of browse names}` (lower case). */
export function pickOpcuaPoints(root: BrowseNode, prefix: string): PickedPoint[] {
  const out: PickedPoint[] = []
  const walk = (n: BrowseNode, path: string[]) => {
    for (const c of n.children) {
      if (c.reference === 'property') continue
      if (c.nodeClass === 'Object' && isCondition(c.typeDefinition)) continue
      const here = [...path, slug(c.browseName) || slug(c.nodeId)]
      if (c.nodeClass === 'Variable') {
        // The children of a variable are parts of it (e.g. a TwoStateVariable's Id): not points.
        if (c.dataType && VALUE_TYPES.has(c.dataType))
          out.push({
            id: [prefix, ...here].filter(Boolean).join('.'),
            nodeId: c.nodeId,
            ...(c.displayName ? { name: c.displayName } : {}),
            ...(c.unit ? { unit: c.unit } : {}),
          })
        continue
      }
      walk(c, here)
    }
  }
  walk(root, [])
  return out
}

export interface AddOpcuaResult {
  added: PickedPoint[]
  /** Node ids the device already reads: left as they are. */
  skipped: string[]
  createdDevice: boolean
}

/**
 * Adds the points to the opcua device `device` of the config (created with `newDevice` when it
 * is not there), keeping the file's comments; the whole result is validated before the file is
 * replaced (the previous one kept as .bak). Nothing is written on any problem, or with dryRun.
 */
export function addOpcuaPoints(
  configFile: string,
  device: string,
  points: PickedPoint[],
  options: { newDevice: Record<string, unknown>; dryRun?: boolean },
): AddOpcuaResult {
  if (points.length === 0)
    throw new ParklinkError(ErrorCodes.BAD_REQUEST, 'no process values under the browsed node', {
      hint: 'browse without --add to see the tree, then start at a unit with --node (and a larger --depth)',
    })
  const bad = points.filter((p) => !PointId.safeParse(p.id).success)
  if (bad.length > 0)
    throw new ParklinkError(
      ErrorCodes.BAD_REQUEST,
      `cannot make point ids for ${bad.map((p) => p.nodeId).join(', ')}`,
      { hint: 'give a --prefix of letters, digits and dots' },
    )
  const text = readFileSync(configFile, 'utf8')
  const doc = parseDocument(text)
  let devices = doc.get('devices', true)
  if (!isSeq(devices)) {
    doc.set('devices', doc.createNode([]))
    devices = doc.get('devices', true)
  }
  let node = (devices as YAMLSeq).items.find((d): d is YAMLMap => isMap(d) && String(d.get('id')) === device) ?? null
  const createdDevice = node === null
  if (node === null) {
    node = doc.createNode({ id: device, kind: 'opcua', ...options.newDevice, points: [] }) as YAMLMap
    ;(devices as YAMLSeq).add(node)
  } else if (node.get('kind') !== 'opcua') {
    throw new ParklinkError(ErrorCodes.BAD_REQUEST, `device ${device} is ${String(node.get('kind'))}, not opcua`, {
      hint: 'name an opcua device with --device, or a new id to create one',
    })
  }
  let list: unknown = node.get('points', true)
  if (!isSeq(list)) {
    node.set('points', doc.createNode([]))
    list = node.get('points', true)
  }
  const present = new Set((list as YAMLSeq).items.map((p) => (isMap(p) ? String(p.get('nodeId')) : '')))
  const added = points.filter((p) => !present.has(p.nodeId))
  const skipped = points.filter((p) => present.has(p.nodeId)).map((p) => p.nodeId)
  // Block style, one key a line, as a technician edits it by hand; an empty `points: []` or
  // `devices: []` written in flow style becomes a block list once it has items.
  for (const p of added) (list as YAMLSeq).add(doc.createNode(p, { flow: false }))
  if (added.length > 0) (list as YAMLSeq).flow = false
  if (createdDevice) (devices as YAMLSeq).flow = false
  const next = doc.toString()
  // The whole result must be valid (ids unique across devices, the endpoint, strict keys …).
  parseEdgeConfig(next, configFile)
  if (!options.dryRun && added.length > 0) replaceConfigFile(configFile, text, next)
  return { added, skipped, createdDevice }
}
