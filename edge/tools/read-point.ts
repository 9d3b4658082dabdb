import { ErrorCodes, ParklinkError } from '../../shared/errors.ts'
import type { Value } from '../../shared/wire/sample.ts'
import { parseAddress } from '../drivers/modbus/address.ts'
import type { ByteOrder, ModbusDataType } from '../drivers/modbus/config.ts'
import { bitOf, decodeRegisters, decodeString, pointWidth, toEngineering } from '../drivers/modbus/decode.ts'
import { ModbusTransport, classify, rtuOpener, tcpOpener } from '../drivers/modbus/transport.ts'
import type { ScanTarget } from './scan-modbus.ts'

/**
 * `parklink edge read`: one live read of one Modbus address, with the raw registers as they came
 * off the wire beside the decoded value — for checking a register map against the DCS screen.
 */
export interface ModbusReadSpec {
  target: ScanTarget
  unitId: number
  address: string | number
  type?: ModbusDataType
  order?: ByteOrder
  scale?: number
  offset?: number
  length?: number
  bit?: number
  timeoutMs: number
}

export interface ReadOutcome {
  quality: 'good' | 'bad'
  value: Value
  /** Registers as hex words (or bits), as received. */
  raw: string[]
  reason?: string
}

export async function readModbusAddress(spec: ModbusReadSpec): Promise<ReadOutcome> {
  const at = parseAddress(spec.address)
  const bitTable = at.table === 'coil' || at.table === 'discrete'
  const type = spec.bit !== undefined ? 'uint16' : (spec.type ?? (bitTable ? 'bool' : 'uint16'))
  if (bitTable !== (type === 'bool')) throw new ParklinkError(ErrorCodes.BAD_REQUEST, `type ${type} does not fit the ${at.table} table`, { hint: 'coils and discrete inputs are bool; registers are numbers or strings' })
  if (type === 'string' && spec.length === undefined) throw new ParklinkError(ErrorCodes.BAD_REQUEST, 'a string needs --length (registers)', { hint: 'two characters per register' })
  const width = bitTable ? 1 : pointWidth(type, spec.length)
  const transport = new ModbusTransport(spec.target.tcp ? tcpOpener(spec.target.tcp.host, spec.target.tcp.port) : rtuOpener(spec.target.serial!), Math.max(spec.timeoutMs, 2_000))
  try {
    await transport.connect()
    const data = await transport.read(spec.unitId, spec.timeoutMs, at.table, at.address, width)
    if (bitTable) return { quality: 'good', value: Boolean(data[0]), raw: [String(Boolean(data[0]))] }
    const words = data as number[]
    const raw = words.map((w) => `0x${w.toString(16).padStart(4, '0')}`)
    const order = spec.order ?? 'ABCD'
    if (spec.bit !== undefined) return { quality: 'good', value: bitOf(words[0]!, spec.bit), raw }
    if (type === 'string') return { quality: 'good', value: decodeString(words, order), raw }
    const value = toEngineering(decodeRegisters(words, type as Exclude<ModbusDataType, 'bool' | 'string'>, order), spec.scale ?? 1, spec.offset ?? 0)
    return { quality: 'good', value, raw }
  } catch (err) {
    if (err instanceof ParklinkError) throw err
    const e = classify(err)
    return { quality: 'bad', value: null, raw: [], reason: `${e.reason} (${e.message})` }
  } finally {
    await transport.close()
  }
}
