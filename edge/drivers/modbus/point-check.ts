import { parseAddress, type ModbusAddress } from './address.ts'
import type { ModbusDataType } from './value-types.ts'
import { pointWidth } from './decode.ts'

/**
 * What a Modbus point's address, type, bit and length resolve to — or why they cannot be read.
 * ONE function for the config schema (so `parklink edge validate` refuses it with its line) and
 * for the driver (which plans its reads from the result): the two cannot disagree.
 */
export interface PointShape {
  address: string | number
  type?: ModbusDataType | undefined
  bit?: number | undefined
  length?: number | undefined
}

export interface ResolvedShape {
  at: ModbusAddress
  type: ModbusDataType
  /** Registers (or bits) read for it. */
  width: number
}

export interface ShapeProblem {
  /** The point's key the problem belongs to. */
  key: 'address' | 'type' | 'bit' | 'length'
  message: string
  hint?: string | undefined
}

export function resolvePointShape(p: PointShape): ResolvedShape | ShapeProblem {
  let at: ModbusAddress
  try {
    at = parseAddress(p.address)
  } catch (err) {
    const e = err as { message: string; hint?: string }
    return { key: 'address', message: e.message, hint: e.hint }
  }
  const bitTable = at.table === 'coil' || at.table === 'discrete'
  if (p.bit !== undefined) {
    // A bit of a register: the register is read as 16 bits, the point is a bool.
    if (bitTable || (p.type !== undefined && p.type !== 'uint16' && p.type !== 'int16')) {
      return {
        key: 'bit',
        message: `bit ${p.bit} needs a 16-bit register`,
        hint: 'use bit with an input or holding register and no type (or uint16)',
      }
    }
    return { at, type: 'uint16', width: 1 }
  }
  const type = p.type ?? (bitTable ? 'bool' : 'uint16')
  if (bitTable !== (type === 'bool')) {
    return {
      key: 'type',
      message: `type ${type} does not fit the ${at.table} table`,
      hint: 'coils and discrete inputs are bool; input and holding registers are int16/uint16/int32/uint32/float32/float64/string (or bit: n for one bit)',
    }
  }
  if (type === 'string' && p.length === undefined)
    return {
      key: 'length',
      message: 'a string needs its length in registers',
      hint: 'add length: n (two characters per register)',
    }
  return { at, type, width: pointWidth(type, p.length) }
}

export const isShapeProblem = (r: ResolvedShape | ShapeProblem): r is ShapeProblem => 'key' in r
