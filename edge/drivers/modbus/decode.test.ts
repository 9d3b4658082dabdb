import { describe, expect, it } from 'vitest'
import { bitOf, decodeRegisters, decodeString, encodeRegisters, toEngineering, widthOf } from './decode.ts'

// 123.456 as IEEE 754 binary32 is 0x42F6E979: bytes A=42 B=F6 C=E9 D=79.
describe('decodeRegisters', () => {
  it.each([
    ['ABCD', [0x42f6, 0xe979]],
    ['CDAB', [0xe979, 0x42f6]],
    ['BADC', [0xf642, 0x79e9]],
    ['DCBA', [0x79e9, 0xf642]],
  ] as const)('float32 123.456 in %s order', (order, words) => {
    expect(decodeRegisters(words, 'float32', order)).toBe(123.456)
  })

  it.each([
    ['int16', [0xffff], 'ABCD', -1],
    ['uint16', [0xffff], 'ABCD', 65535],
    ['int16', [0x0180], 'BADC', -32767], // bytes swapped: 0x8001
    ['int16', [0x8000], 'ABCD', -32768],
    ['int32', [0xffff, 0xfffe], 'ABCD', -2],
    ['int32', [0xfffe, 0xffff], 'CDAB', -2],
    ['uint32', [0x0001, 0x0000], 'ABCD', 65536],
    ['uint32', [0xffff, 0xffff], 'DCBA', 4294967295],
    ['float32', [0xbf80, 0x0000], 'ABCD', -1],
    ['float32', [0x0000, 0x0000], 'ABCD', 0],
  ] as const)('%s %j in %s → %d', (type, words, order, expected) => {
    expect(decodeRegisters(words, type, order)).toBe(expected)
  })

  it('rejects too few registers', () => {
    expect(() => decodeRegisters([1], 'float32', 'ABCD')).toThrow(RangeError)
  })

  it.each(['ABCD', 'CDAB', 'BADC', 'DCBA'] as const)('encode is the inverse of decode (%s)', (order) => {
    for (const [value, type] of [
      [-12.5, 'float32'],
      [-123456, 'int32'],
      [4000000000, 'uint32'],
      [-300, 'int16'],
      [60000, 'uint16'],
    ] as const) {
      expect(decodeRegisters(encodeRegisters(value, type, order), type, order)).toBe(value)
    }
  })
})

describe('widthOf and toEngineering', () => {
  it('knows register widths', () => {
    expect(['bool', 'int16', 'uint16', 'int32', 'uint32', 'float32'].map((t) => widthOf(t as 'int16'))).toEqual([
      1, 1, 1, 2, 2, 2,
    ])
  })

  it('applies scale and offset without binary noise', () => {
    expect(toEngineering(183, 0.1, 0)).toBe(18.3)
    expect(toEngineering(4000, 0.01, -20)).toBe(20)
  })
})

describe('16-bit values under 32-bit order names', () => {
  it.each([
    ['ABCD', 0x0102],
    ['CDAB', 0x0102],
    ['BADC', 0x0201],
    ['DCBA', 0x0201],
  ] as const)('%s reads 0x0102 as %d', (order, expected) => {
    expect(decodeRegisters([0x0102], 'uint16', order)).toBe(expected)
  })
})

// 1234.5678 as IEEE 754 binary64 is 0x40934A456D5CFAAD: words 4093 4A45 6D5C FAAD.
describe('float64, strings and bits', () => {
  it.each([
    ['ABCD', [0x4093, 0x4a45, 0x6d5c, 0xfaad]],
    ['CDAB', [0xfaad, 0x6d5c, 0x4a45, 0x4093]], // words least significant first
    ['BADC', [0x9340, 0x454a, 0x5c6d, 0xadfa]], // bytes swapped in each word
    ['DCBA', [0xadfa, 0x5c6d, 0x454a, 0x9340]], // both: fully little-endian
  ] as const)('float64 1234.5678 in %s order, and back', (order, words) => {
    expect(widthOf('float64')).toBe(4)
    expect(decodeRegisters(words, 'float64', order)).toBe(1234.5678)
    expect(encodeRegisters(1234.5678, 'float64', order)).toEqual(words)
  })

  it('32-bit orders still agree with their letters', () => {
    expect(encodeRegisters(123.456, 'float32', 'BADC')).toEqual([0xf642, 0x79e9])
    expect(encodeRegisters(-2, 'int32', 'CDAB')).toEqual([0xfffe, 0xffff])
  })

  it.each([
    ['ABCD', [0x5458, 0x2d31, 0x3031, 0x0000], 'TX-101'],
    ['BADC', [0x5854, 0x312d, 0x3130, 0x2020], 'TX-101'],
  ] as const)('an ASCII string in %s order, trailing NULs and spaces trimmed', (order, words, text) => {
    expect(decodeString(words, order)).toBe(text)
  })

  it('bits of a register: 0 is the least significant', () => {
    expect([0, 1, 2, 15].map((b) => bitOf(0b1000_0000_0000_0101, b))).toEqual([true, false, true, true])
  })
})
