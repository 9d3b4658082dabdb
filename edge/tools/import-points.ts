import { readFileSync } from 'node:fs'
import { isMap, isSeq, parseDocument, type YAMLMap, type YAMLSeq } from 'yaml'
import { replaceConfigFile } from './config-file.ts'
import { ErrorCodes, ParklinkError } from '../../shared/errors.ts'
import { PointId } from '../../shared/wire/ids.ts'
import { parseAddress } from '../drivers/modbus/address.ts'
import { ByteOrder, ModbusDataType } from '../drivers/modbus/config.ts'
import { pointWidth } from '../drivers/modbus/decode.ts'
import { parseCsv } from '../../shared/csv.ts'
import { parseEdgeConfig } from '../config.ts'

/**
 * `parklink edge import-points FILE.csv --config edge.yaml`: the enterprise's data-access table
 * (数据接入表, Chinese or English headers) → Modbus points of the config's devices. Every row is
 * checked first and the resulting config is validated as a whole; only then is the file
 * replaced (atomically, the previous one kept as .bak), with its comments preserved. A row with
 * an error → that row's error, and nothing is written.
 */
export const HEADERS: Record<string, string> = {
  点位编号: 'id',
  位号: 'id',
  id: 'id',
  点位名称: 'name',
  名称: 'name',
  name: 'name',
  单位: 'unit',
  unit: 'unit',
  设备: 'device',
  设备编号: 'device',
  device: 'device',
  地址: 'address',
  寄存器地址: 'address',
  address: 'address',
  数据类型: 'type',
  类型: 'type',
  type: 'type',
  字节序: 'order',
  order: 'order',
  系数: 'scale',
  倍率: 'scale',
  scale: 'scale',
  偏移: 'offset',
  偏移量: 'offset',
  offset: 'offset',
}

export { parseCsv }

export interface ImportResult {
  added: number
  byDevice: Record<string, number>
}

export function importPoints(csvFile: string, configFile: string, options: { dryRun?: boolean } = {}): ImportResult {
  const rows = parseCsv(readFileSync(csvFile, 'utf8'))
  if (rows.length < 2)
    throw new ParklinkError(ErrorCodes.BAD_REQUEST, `${csvFile} has no data rows`, {
      hint: 'the first row is the header: 点位编号,点位名称,单位,设备,地址,数据类型,字节序,系数',
    })
  const header = rows[0]!.map((h) => HEADERS[h.trim()] ?? HEADERS[h.trim().toLowerCase()] ?? null)
  const missing = ['id', 'device', 'address'].filter((k) => !header.includes(k))
  if (missing.length > 0)
    throw new ParklinkError(ErrorCodes.BAD_REQUEST, `${csvFile}: no column for ${missing.join(', ')}`, {
      hint: 'needed: 点位编号 (id), 设备 (device), 地址 (address)',
    })

  const text = readFileSync(configFile, 'utf8')
  const doc = parseDocument(text)
  const devices = doc.get('devices', true)
  if (!isSeq(devices))
    throw new ParklinkError(ErrorCodes.CONFIG_INVALID, `${configFile} has no devices list`, {
      hint: 'add the devices first (parklink edge validate shows what is missing)',
    })
  const deviceNodes = new Map<string, YAMLMap>()
  for (const d of (devices as YAMLSeq).items) if (isMap(d)) deviceNodes.set(String(d.get('id')), d)

  const problems: string[] = []
  const taken = new Map<string, string>() // device/table:register → point id
  const ids = new Set<string>()
  const additions: Array<{ device: string; point: Record<string, unknown> }> = []
  rows.slice(1).forEach((cells, k) => {
    const line = k + 2
    const get = (key: string) => {
      const i = header.indexOf(key)
      const v = i < 0 ? '' : (cells[i] ?? '').trim()
      return v === '' ? undefined : v
    }
    const id = get('id') ?? ''
    const device = get('device') ?? ''
    const errors: string[] = []
    if (!PointId.safeParse(id).success) errors.push(`point id "${id}" is not valid (letters, digits, _ - . :)`)
    else if (ids.has(id)) errors.push(`point id ${id} appears twice`)
    ids.add(id)
    const node = deviceNodes.get(device)
    const kind = node?.get('kind')
    if (!node) errors.push(`no device "${device}" in ${configFile}`)
    else if (kind !== 'modbus-tcp')
      errors.push(
        `device ${device} is ${String(kind)}: import fills modbus-tcp devices (RS485 units: add them with a profile)`,
      )
    const type = get('type')?.toLowerCase()
    if (type !== undefined && !ModbusDataType.safeParse(type).success)
      errors.push(`unknown data type "${type}" (use ${ModbusDataType.options.join(', ')})`)
    const order = get('order')?.toUpperCase()
    if (order !== undefined && !ByteOrder.safeParse(order).success)
      errors.push(`unknown byte order "${order}" (use ABCD, CDAB, BADC or DCBA)`)
    const scale = get('scale') === undefined ? undefined : Number(get('scale'))
    const offset = get('offset') === undefined ? undefined : Number(get('offset'))
    if (scale !== undefined && !Number.isFinite(scale)) errors.push(`scale "${get('scale')}" is not a number`)
    if (offset !== undefined && !Number.isFinite(offset)) errors.push(`offset "${get('offset')}" is not a number`)
    let address: ReturnType<typeof parseAddress> | null = null
    try {
      address = parseAddress(get('address') ?? '')
    } catch (err) {
      errors.push((err as Error).message)
    }
    if (address && errors.length === 0) {
      const bits = address.table === 'coil' || address.table === 'discrete'
      const width = bits ? 1 : pointWidth((type ?? 'uint16') as ModbusDataType)
      for (let r = 0; r < width; r++) {
        const slot = `${device}/${address.table}:${address.address + r}`
        const other = taken.get(slot)
        if (other) {
          errors.push(`address ${get('address')} overlaps ${other} (${address.table} register ${address.address + r})`)
          break
        }
        taken.set(slot, id)
      }
    }
    if (errors.length > 0) return void problems.push(...errors.map((e) => `row ${line}: ${e}`))
    const name = get('name')
    const unit = get('unit')
    additions.push({
      device,
      point: {
        id,
        ...(name ? { name } : {}),
        ...(unit ? { unit } : {}),
        address: get('address'),
        ...(type ? { type } : {}),
        ...(order ? { order } : {}),
        ...(scale !== undefined ? { scale } : {}),
        ...(offset !== undefined ? { offset } : {}),
      },
    })
  })
  if (problems.length > 0)
    throw new ParklinkError(
      ErrorCodes.CONFIG_INVALID,
      `${csvFile}: ${problems.length} problem(s), nothing was imported:\n  ${problems.join('\n  ')}`,
      { hint: 'fix these rows in the table and import again' },
    )

  for (const { device, point } of additions) {
    const node = deviceNodes.get(device)!
    let list: unknown = node.get('points', true)
    if (!isSeq(list)) {
      node.set('points', doc.createNode([]))
      list = node.get('points', true)
    }
    ;(list as YAMLSeq).add(doc.createNode(point, { flow: true }))
  }
  const next = doc.toString()
  // The whole result must be a valid config (duplicates with existing points, strict keys …).
  parseEdgeConfig(next, configFile)
  if (!options.dryRun) {
    replaceConfigFile(configFile, text, next)
  }
  const byDevice: Record<string, number> = {}
  for (const a of additions) byDevice[a.device] = (byDevice[a.device] ?? 0) + 1
  return { added: additions.length, byDevice }
}
