import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { ChunkCorrupt, decodeChunk, encodeChunk, type ChunkSample } from './codec.ts'
import { decimalScale, decodeXor, encodeXor } from './floats.ts'

const quality = fc.constantFrom('good', 'uncertain', 'bad') as fc.Arbitrary<ChunkSample['quality']>
const value = fc.oneof(
  fc.double(),
  fc.integer({ min: -1_000_000, max: 1_000_000 }).map((n) => n / 100),
  fc.boolean(),
  fc.string({ maxLength: 20 }),
  fc.constant(null),
)
const sample = fc.record(
  {
    ts: fc.integer({ min: 0, max: 2 ** 45 }),
    value,
    quality,
    reason: fc.constantFrom('timeout', 'unreachable', 'source_status:0x80340000', '传感器故障'),
  },
  { requiredKeys: ['ts', 'value', 'quality'] },
)

/** Bit-exact equality for numbers (so -0 and NaN count), deep for the rest. */
function same(a: readonly ChunkSample[], b: readonly ChunkSample[]): boolean {
  return (
    a.length === b.length &&
    a.every((x, i) => {
      const y = b[i] as ChunkSample
      const values = typeof x.value === 'number' ? Object.is(x.value, y.value) : x.value === y.value
      return values && x.ts === y.ts && x.quality === y.quality && x.reason === y.reason
    })
  )
}

describe('historian chunk codec', () => {
  it('gives back exactly the samples it was given, in order (any values, kinds, qualities, times)', () => {
    fc.assert(
      fc.property(fc.array(sample, { maxLength: 200 }), (samples) => same(decodeChunk(encodeChunk(samples)), samples)),
      { numRuns: 300 },
    )
  })

  it('with a filter, gives back exactly the kept samples of the whole decode (each kind keeps its place)', () => {
    fc.assert(
      fc.property(fc.array(sample, { maxLength: 200 }), fc.integer({ min: 0, max: 2 ** 45 }), (samples, cut) => {
        const keep = (ts: number) => ts % 3 !== 0 && ts >= cut
        const bytes = encodeChunk(samples)
        return same(
          decodeChunk(bytes, keep),
          decodeChunk(bytes).filter((s) => keep(s.ts)),
        )
      }),
      { numRuns: 300 },
    )
  })

  it('keeps every float64 bit pattern through the XOR encoding', () => {
    fc.assert(
      fc.property(fc.array(fc.double(), { minLength: 1, maxLength: 100 }), (values) =>
        decodeXor(encodeXor(values), values.length).every((v, i) => Object.is(v, values[i])),
      ),
    )
    const special = [0, -0, Number.NaN, Infinity, -Infinity, Number.MIN_VALUE, Number.MAX_VALUE, 1e-300, 5e-324]
    expect(decodeXor(encodeXor(special), special.length)).toEqual(special)
  })

  it('finds the decimal scale instruments report at, and none for full-precision floats', () => {
    expect(decimalScale([12.34, 12.3, 13])).toBe(2)
    expect(decimalScale([1, 2, 3])).toBe(0)
    expect(decimalScale([Math.PI])).toBeNull()
    expect(decimalScale([-0])).toBeNull()
  })

  it('refuses a chunk with any byte changed, as ChunkCorrupt (CRC-32 catches every single-byte error)', () => {
    const samples = Array.from(
      { length: 50 },
      (_, i): ChunkSample => ({ ts: 1_000 * i, value: i / 4, quality: 'good' }),
    )
    const bytes = encodeChunk(samples)
    fc.assert(
      fc.property(fc.nat(bytes.length - 1), fc.integer({ min: 1, max: 255 }), (at, flip) => {
        const damaged = bytes.slice()
        damaged[at] = (damaged[at] as number) ^ flip
        expect(() => decodeChunk(damaged)).toThrow(ChunkCorrupt)
      }),
    )
    expect(() => decodeChunk(bytes.subarray(0, bytes.length - 1))).toThrow(ChunkCorrupt)
    expect(() => decodeChunk(new Uint8Array())).toThrow(ChunkCorrupt)
  })

  it('stores an hour of a steady 1 s analog signal at a few bytes per sample', () => {
    const start = Date.UTC(2026, 11, 6)
    const level = Array.from(
      { length: 3_600 },
      (_, i): ChunkSample => ({
        ts: start + i * 1_000 + (i % 7 === 0 ? 3 : 0),
        value: Math.round((2_500 + 40 * Math.sin(i / 300) + ((i * 7919) % 13) / 10) * 100) / 100,
        quality: 'good',
      }),
    )
    const fullPrecision = level.map((s, i) => ({ ...s, value: 2.5 + Math.sin(i / 300) * 0.4 }))
    const perSample = (s: ChunkSample[]) => encodeChunk(s).length / s.length
    expect(perSample(level)).toBeLessThan(4)
    expect(perSample(fullPrecision)).toBeLessThan(9)
    expect(same(decodeChunk(encodeChunk(level)), level)).toBe(true)
  })
})
