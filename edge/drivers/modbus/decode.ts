import type { ByteOrder, ModbusDataType } from './value-types.ts'

/** Registers a value of this type occupies (a register is 16 bits, §4.2); bool is one bit; a string gives its own length. */
export function widthOf(type: Exclude<ModbusDataType, 'string'>): number {
  return type === 'int32' || type === 'uint32' || type === 'float32' ? 2 : type === 'float64' ? 4 : 1
}

/**
 * The spec sends a register big-endian (§4.2, "AB"); how a device packs wider values into
 * several registers is vendor practice, hence the order, read as two facts: the words come
 * least significant first (CDAB, DCBA), and the two bytes of each word are swapped (BADC,
 * DCBA). For 32 bits that is exactly the letters; for float64 (4 registers) CDAB means the four
 * words in reverse order, each big-endian.
 */
const wordsReversed = (order: ByteOrder) => order === 'CDAB' || order === 'DCBA'
const bytesSwapped = (order: ByteOrder) => order === 'BADC' || order === 'DCBA'

function bytesInOrder(words: readonly number[], count: number, order: ByteOrder): Buffer {
  const out = Buffer.alloc(count * 2) // big-endian: out[0] is the most significant byte
  for (let i = 0; i < count; i++) {
    const word = (words[wordsReversed(order) ? count - 1 - i : i] ?? 0) & 0xffff
    out.writeUInt16BE(bytesSwapped(order) ? ((word & 0xff) << 8) | (word >> 8) : word, i * 2)
  }
  return out
}

/** An ASCII string of `words.length` registers, two characters each (first character in the high byte unless bytes are swapped); trailing NULs and spaces trimmed. */
export function decodeString(words: readonly number[], order: ByteOrder): string {
  const bytes = Buffer.alloc(words.length * 2)
  words.forEach((w, i) =>
    bytes.writeUInt16BE(bytesSwapped(order) ? ((w & 0xff) << 8) | ((w >> 8) & 0xff) : w & 0xffff, i * 2),
  )
  return bytes
    .toString('latin1')
    .replace(/[\0 ]+$/, '')
    .slice(0, 256)
}

/** Registers (or bits) a configured point occupies. */
export const pointWidth = (type: ModbusDataType, length?: number): number =>
  type === 'string' ? (length ?? 1) : widthOf(type)

/** Bit `bit` (0 = least significant) of a 16-bit register. */
export const bitOf = (word: number, bit: number): boolean => ((word >> bit) & 1) === 1

/** The raw (unscaled) value of `type` from its registers. */
export function decodeRegisters(
  words: readonly number[],
  type: Exclude<ModbusDataType, 'bool' | 'string'>,
  order: ByteOrder,
): number {
  const width = widthOf(type)
  if (words.length < width) throw new RangeError(`${type} needs ${width} registers, got ${words.length}`)
  const be = bytesInOrder(words, width, order)
  switch (type) {
    case 'int16':
      return be.readInt16BE(0)
    case 'uint16':
      return be.readUInt16BE(0)
    case 'int32':
      return be.readInt32BE(0)
    case 'uint32':
      return be.readUInt32BE(0)
    // A float32 carries ~7.2 significant decimal digits (IEEE 754 binary32); more would be noise.
    case 'float32':
      return significant(be.readFloatBE(0), 7)
    case 'float64':
      return be.readDoubleBE(0)
  }
}

function significant(value: number, digits: number): number {
  return Number.isFinite(value) && value !== 0 ? Number(value.toPrecision(digits)) : value
}

/** The inverse of decodeRegisters, for writable points and for simulators. */
export function encodeRegisters(
  value: number,
  type: Exclude<ModbusDataType, 'bool' | 'string'>,
  order: ByteOrder,
): number[] {
  const width = widthOf(type)
  const be = Buffer.alloc(width * 2)
  switch (type) {
    case 'int16':
      be.writeInt16BE(Math.round(value))
      break
    case 'uint16':
      be.writeUInt16BE(Math.round(value))
      break
    case 'int32':
      be.writeInt32BE(Math.round(value))
      break
    case 'uint32':
      be.writeUInt32BE(Math.round(value))
      break
    case 'float32':
      be.writeFloatBE(value)
      break
    case 'float64':
      be.writeDoubleBE(value)
      break
  }
  // The inverse of bytesInOrder: big-endian words, then the order's swaps.
  const words = Array.from({ length: width }, (_, i) => be.readUInt16BE(i * 2))
  const swapped = bytesSwapped(order) ? words.map((w) => ((w & 0xff) << 8) | (w >> 8)) : words
  return wordsReversed(order) ? swapped.reverse() : swapped
}

/** engineering value = raw × scale + offset, without binary noise from the float arithmetic. */
export function toEngineering(raw: number, scale: number, offset: number): number {
  const value = raw * scale + offset
  return Number.isFinite(value) ? Number(value.toPrecision(12)) : value
}
