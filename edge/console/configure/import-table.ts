import { isMap, parseDocument, type Document, type YAMLMap } from 'yaml'
import type { ConfigProblem } from '../../../shared/config.ts'
import { checkEdgeConfigText } from '../../config-check.ts'
import { appendPoint, devicesSeq, seqAt } from './yaml-edit.ts'
import type { TableRow } from './table.ts'

/**
 * A data-access table → points added to the config's devices, judged row by row: a row's own
 * mistakes (no such device, an OPC UA column on a Modbus device, a number that is not one) are
 * found first; the rows without any are added and the whole config is run through the one
 * check (edge/config-check.ts), whose problems (an address the driver cannot read, a point id
 * already in the config, an unknown type …) are given back to the row they came from. Any
 * problem → nothing is applied.
 */
export interface RowProblem {
  /** The row in the sheet (1 = header); null: the config as a whole. */
  line: number | null
  message: string
  hint?: string
}

export interface ImportPlan {
  text: string
  added: number
  byDevice: Record<string, number>
  problems: RowProblem[]
}

const MODBUS = new Set(['modbus-tcp', 'modbus-rtu', 'modbus-gateway'])
const INTEGER = /^-?\d+$/

export function planImport(
  text: string,
  file: string,
  rows: readonly TableRow[],
  env: NodeJS.ProcessEnv | null,
): ImportPlan {
  const doc = parseDocument(text)
  const problems: RowProblem[] = []
  const placed: Array<{ path: string; line: number }> = []
  const byDevice: Record<string, number> = {}
  const seen = new Map<string, number>()
  for (const row of rows) {
    const id = row.cells.id ?? ''
    const other = seen.get(id)
    if (other !== undefined) {
      problems.push({
        line: row.line,
        message: `point id "${id}" is also on row ${other}`,
        hint: 'each point once: remove or rename one of the rows',
      })
      continue
    }
    seen.set(id, row.line)
    const r = placeRow(doc, row)
    if ('problems' in r) problems.push(...r.problems.map((p) => ({ line: row.line, ...p })))
    else {
      placed.push({ path: r.path, line: row.line })
      byDevice[row.cells.device!] = (byDevice[row.cells.device!] ?? 0) + 1
    }
  }
  const next = doc.toString()
  const check = checkEdgeConfigText(next, file, env)
  for (const p of check.problems) problems.push(toRowProblem(p, placed))
  problems.sort((a, b) => (a.line ?? 0) - (b.line ?? 0))
  return { text: next, added: placed.length, byDevice, problems }
}

function toRowProblem(p: ConfigProblem, placed: ReadonlyArray<{ path: string; line: number }>): RowProblem {
  const row = placed.find((x) => p.path === x.path || p.path.startsWith(`${x.path}.`))
  const key = row ? p.path.slice(row.path.length + 1) : ''
  return {
    line: row?.line ?? null,
    message: row ? `${key ? `${key}: ` : ''}${p.message}` : `${p.path ? `${p.path}: ` : ''}${p.message}`,
    ...(p.hint ? { hint: p.hint } : row ? { hint: 'correct this cell in the table and upload it again' } : {}),
  }
}

type Placed = { path: string } | { problems: Array<Omit<RowProblem, 'line'>> }

function placeRow(doc: Document, row: TableRow): Placed {
  const c = row.cells
  const problems: Array<Omit<RowProblem, 'line'>> = []
  const devices = devicesSeq(doc)
  const index = devices.items.findIndex((d) => isMap(d) && String(d.get('id')) === c.device)
  const device = index < 0 ? null : (devices.items[index] as YAMLMap)
  const kind = String(device?.get('kind'))
  if (!c.id) problems.push({ message: 'no point id', hint: 'fill in 点位编号 (id), e.g. tk101.level' })
  if (!device)
    return {
      problems: [
        ...problems,
        {
          message: c.device ? `no device "${c.device}" in the config` : 'no device',
          hint: 'add the device on the devices page first, or correct 设备 (device) to one listed there',
        },
      ],
    }
  if (!MODBUS.has(kind) && kind !== 'opcua')
    return { problems: [{ message: `device ${c.device} is ${kind}: a table fills Modbus and OPC UA devices` }] }
  const point: Record<string, unknown> = { id: c.id }
  if (c.name) point.name = c.name
  if (c.unit) point.unit = c.unit
  if (kind === 'opcua') {
    for (const k of ['address', 'type', 'order', 'scale', 'offset', 'length', 'bit', 'unitId'] as const)
      if (c[k])
        problems.push({
          message: `column ${k} is for Modbus rows; ${c.device} is an OPC UA device`,
          hint: 'clear it, or give the row a Modbus device',
        })
    if (!c.nodeId)
      problems.push({
        message: 'no node id',
        hint: 'fill in 节点 (nodeId), e.g. ns=2;s=TK201.Level (browse the server on the devices page)',
      })
    else point.nodeId = c.nodeId
  } else {
    if (c.nodeId)
      problems.push({
        message: `column nodeId is for OPC UA rows; ${c.device} is a Modbus device`,
        hint: 'clear it, or give the row an OPC UA device',
      })
    if (!c.address) problems.push({ message: 'no address', hint: 'fill in 地址 (address), e.g. hr100 or 40101' })
    else point.address = c.address
    if (c.type) point.type = c.type.toLowerCase()
    if (c.order) point.order = c.order.toUpperCase()
    for (const k of ['scale', 'offset'] as const) if (c[k] !== undefined) point[k] = number(c[k], k, false, problems)
    for (const k of ['length', 'bit'] as const) if (c[k] !== undefined) point[k] = number(c[k], k, true, problems)
  }
  if (problems.length > 0) return { problems }
  if (kind === 'modbus-rtu' || kind === 'modbus-gateway') {
    const unitId = c.unitId === undefined ? undefined : number(c.unitId, 'unitId', true, problems)
    if (unitId === undefined)
      problems.push({
        message: `device ${c.device} is a serial line: the row needs its slave`,
        hint: 'fill in 从站地址 (unitId), 1–247',
      })
    if (problems.length > 0) return { problems }
    const units = seqAt(doc, device, 'units')
    let u = units.items.findIndex((x) => isMap(x) && Number(x.get('unitId')) === unitId)
    if (u < 0) {
      units.add(doc.createNode({ unitId, points: [] }))
      u = units.items.length - 1
    }
    const at = appendPoint(doc, seqAt(doc, units.items[u] as YAMLMap, 'points'), point)
    return { path: `devices.${index}.units.${u}.points.${at}` }
  }
  if (c.unitId !== undefined && kind === 'modbus-tcp' && Number(c.unitId) !== Number(device.get('unitId') ?? 1))
    return {
      problems: [
        {
          message: `unitId ${c.unitId} differs from device ${c.device}'s (${String(device.get('unitId') ?? 1)})`,
          hint: 'a Modbus TCP device has one unit id: clear the cell or add another device',
        },
      ],
    }
  const at = appendPoint(doc, seqAt(doc, device, 'points'), point)
  return { path: `devices.${index}.points.${at}` }
}

function number(
  text: string,
  key: string,
  integer: boolean,
  problems: Array<Omit<RowProblem, 'line'>>,
): number | undefined {
  const n = Number(text)
  if (text.trim() === '' || !Number.isFinite(n) || (integer && !INTEGER.test(text.trim()))) {
    problems.push({
      message: `${key} "${text}" is not ${integer ? 'a whole number' : 'a number'}`,
      hint: `write ${key} as digits, e.g. ${integer ? '3' : '0.1'}`,
    })
    return undefined
  }
  return n
}
