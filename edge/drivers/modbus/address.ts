import { ErrorCodes, ParklinkError } from '../../../shared/errors.ts'

/**
 * Modbus data tables (Modbus application protocol §4.3): coils and holding registers are
 * read/write, discrete inputs and input registers read-only. `address` is the 0-based protocol
 * address that goes on the wire (§4.4), 0–65535.
 */
export type ModbusTable = 'coil' | 'discrete' | 'input' | 'holding'

export interface ModbusAddress {
  table: ModbusTable
  address: number
}

const PREFIXES: Record<string, ModbusTable> = { co: 'coil', di: 'discrete', ir: 'input', hr: 'holding' }
// Modicon references: the leading digit names the table, the rest is the 1-based offset.
const MODICON: Record<string, ModbusTable> = { '0': 'coil', '1': 'discrete', '3': 'input', '4': 'holding' }
const MAX_ADDRESS = 65_535

const ACCEPTED =
  'use hr<n>, ir<n>, co<n>, di<n> with the 0-based address (e.g. hr100), or a Modicon reference (40101 = holding register 100; 6-digit 400101 also accepted)'

function fail(input: string | number, why: string): never {
  throw new ParklinkError(ErrorCodes.CONFIG_INVALID, `invalid Modbus address "${input}": ${why}`, { hint: ACCEPTED })
}

export function parseAddress(input: string | number): ModbusAddress {
  const text = String(input).trim().toLowerCase()
  const prefixed = /^(co|di|ir|hr)(\d{1,5})$/.exec(text)
  if (prefixed) {
    const address = Number(prefixed[2])
    if (address > MAX_ADDRESS) fail(input, `the protocol address must be 0–${MAX_ADDRESS}`)
    return { table: PREFIXES[prefixed[1]!]!, address }
  }
  // 5-digit form: 4xxxx with offsets 1–9999; 6-digit: 4xxxxx with offsets 1–65536.
  // A bare number below 10000 (e.g. 13, or "00013") is a coil reference.
  const modicon = /^\d{1,6}$/.test(text) ? text.padStart(5, '0') : null
  if (modicon) {
    const table = MODICON[modicon[0]!]
    if (!table) fail(input, `a Modicon reference starts with 0, 1, 3 or 4 (the table), not ${modicon[0]}`)
    const offset = Number(modicon.slice(1))
    if (offset < 1) fail(input, 'Modicon offsets start at 1 (40001 is the first holding register)')
    if (offset - 1 > MAX_ADDRESS) fail(input, `the offset must be at most ${MAX_ADDRESS + 1}`)
    return { table, address: offset - 1 }
  }
  return fail(input, 'not a recognised form')
}
