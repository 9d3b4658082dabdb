import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { ByteWriter } from './bits.ts'

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
