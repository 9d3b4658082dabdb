import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { BitReader, BitWriter, ByteWriter, StreamError } from './bits.ts'

describe('ByteWriter.text', () => {
  it('writes the bytes of a section of the TextEncoder encoding, for any string (ASCII or not, lone surrogates too)', () => {
    const utf8 = new TextEncoder()
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string(),
          fc.string({ minLength: 120, maxLength: 300 }),
          fc.string({ unit: 'binary' }),
          fc.string({ unit: 'grapheme' }),
        ),
        (s) => {
          const fast = new ByteWriter()
          fast.text(s)
          const plain = new ByteWriter()
          plain.section(utf8.encode(s))
          expect(fast.finish()).toEqual(plain.finish())
        },
      ),
      { numRuns: 500 },
    )
  })
})

describe('BitReader', () => {
  it('reads back every run of bits as written, of any width up to 32 and at any bit offset', () => {
    const field = fc
      .integer({ min: 0, max: 32 })
      .chain((width) => fc.record({ width: fc.constant(width), value: fc.integer({ min: 0, max: 2 ** width - 1 }) }))
    fc.assert(
      fc.property(fc.array(field, { maxLength: 60 }), (fields) => {
        const out = new BitWriter()
        for (const f of fields) out.bits(f.value, f.width)
        const input = new BitReader(out.finish())
        expect(fields.map((f) => input.bits(f.width))).toEqual(fields.map((f) => f.value))
      }),
      { numRuns: 500 },
    )
  })

  it('refuses to read past the end of its bytes', () => {
    const input = new BitReader(Uint8Array.from([0xff, 0x00]))
    expect(input.bits(12)).toBe(0xff0)
    expect(() => input.bits(5)).toThrow(StreamError)
    expect(input.bits(4)).toBe(0)
    expect(() => input.bit()).toThrow(StreamError)
  })
})
