import type { ByteOrder, ModbusDataType } from './config.ts'

/** Registers a value of this type occupies (a register is 16 bits, §4.2); bool is one bit. */
export function widthOf(type: ModbusDataType): number {
  return type === 'int32' || type === 'uint32' || type === 'float32' ? 2 : 1
}

/**
 * Byte positions for each order letter string. The spec sends a register big-endian (§4.2,
 * "AB"); how a device packs 32-bit values into two registers is vendor practice, hence the order.
 */
function bytesInOrder(words: readonly number[], count: number, order: ByteOrder): Buffer {
  const wire = Buffer.alloc(count * 2)
  for (let i = 0; i < count; i++) wire.writeUInt16BE((words[i] ?? 0) & 0xffff, i * 2)
  // wire holds the bytes as they arrived; map letters (A = most significant) to wire positions.
  const letters = count === 1 ? sixteenBit(order) : order
  const out = Buffer.alloc(count * 2)
  for (let pos = 0; pos < letters.length; pos++) {
    const significance = letters.charCodeAt(pos) - 'A'.charCodeAt(0)
    out[significance] = wire[pos]!
  }
  return out // big-endian: out[0] is the most significant byte
}

/** A single register only knows whether its two bytes are swapped: BADC and DCBA swap them. */
function sixteenBit(order: ByteOrder): string {
  return order[0]! < order[1]! ? 'AB' : 'BA'
}

/** The raw (unscaled) value of `type` from its registers. */
export function decodeRegisters(words: readonly number[], type: Exclude<ModbusDataType, 'bool'>, order: ByteOrder): number {
  const width = widthOf(type)
  if (words.length < width) throw new RangeError(`${type} needs ${width} registers, got ${words.length}`)
  const be = bytesInOrder(words, width, order)
  switch (type) {
    case 'int16': return be.readInt16BE(0)
    case 'uint16': return be.readUInt16BE(0)
    case 'int32': return be.readInt32BE(0)
    case 'uint32': return be.readUInt32BE(0)
    // A float32 carries ~7.2 significant decimal digits (IEEE 754 binary32); more would be noise.
    case 'float32': return significant(be.readFloatBE(0), 7)
  }
}

function significant(value: number, digits: number): number {
  return Number.isFinite(value) && value !== 0 ? Number(value.toPrecision(digits)) : value
}

/** The inverse of decodeRegisters, for writable points and for simulators. */
export function encodeRegisters(value: number, type: Exclude<ModbusDataType, 'bool'>, order: ByteOrder): number[] {
  const width = widthOf(type)
  const be = Buffer.alloc(width * 2)
  switch (type) {
    case 'int16': be.writeInt16BE(Math.round(value)); break
    case 'uint16': be.writeUInt16BE(Math.round(value)); break
    case 'int32': be.writeInt32BE(Math.round(value)); break
    case 'uint32': be.writeUInt32BE(Math.round(value)); break
    case 'float32': be.writeFloatBE(value); break
  }
  const letters = width === 1 ? sixteenBit(order) : order
  const wire = Buffer.alloc(width * 2)
  for (let pos = 0; pos < letters.length; pos++) wire[pos] = be[letters.charCodeAt(pos) - 65]!
  return Array.from({ length: width }, (_, i) => wire.readUInt16BE(i * 2))
}

/** engineering value = raw × scale + offset, without binary noise from the float arithmetic. */
export function toEngineering(raw: number, scale: number, offset: number): number {
  const value = raw * scale + offset
  return Number.isFinite(value) ? Number(value.toPrecision(12)) : value
}
