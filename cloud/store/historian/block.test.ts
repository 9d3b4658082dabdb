import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { decodeBlock, decodeBlockPoint, encodeBlock, groupByPoint } from './block.ts'
import { ChunkCorrupt } from './codec.ts'

const sample = fc.record(
  {
    point: fc.constantFrom('TK-101.LEVEL', 'TK-101.TEMP', 'GD-7.LEL', '储罐-3.液位'),
    ts: fc.integer({ min: 0, max: 2 ** 42 }),
    value: fc.oneof(fc.double({ noNaN: true }), fc.boolean(), fc.constant(null), fc.string({ maxLength: 8 })),
    quality: fc.constantFrom('good', 'uncertain', 'bad') as fc.Arbitrary<'good' | 'uncertain' | 'bad'>,
    reason: fc.constantFrom('timeout', 'source_status'),
  },
  { requiredKeys: ['point', 'ts', 'value', 'quality'] },
)

describe('historian blocks (one per data batch)', () => {
  it('give back each point of the batch with its samples in the order they came', () => {
    fc.assert(
      fc.property(fc.array(sample, { maxLength: 150 }), (samples) => {
        const grouped = groupByPoint(samples)
        const block = encodeBlock(grouped)
        expect(decodeBlock(block)).toEqual(grouped)
        for (const { point, samples: list } of grouped) expect(decodeBlockPoint(block, point)).toEqual(list)
        expect(decodeBlockPoint(block, 'not-in-it')).toEqual([])
      }),
      { numRuns: 200 },
    )
  })

  it('refuse a damaged block as ChunkCorrupt, wherever the damage is', () => {
    const block = encodeBlock(
      groupByPoint(
        Array.from({ length: 40 }, (_, i) => ({
          point: `P${i % 4}`,
          ts: 1_000 * i,
          value: i,
          quality: 'good' as const,
        })),
      ),
    )
    fc.assert(
      fc.property(fc.nat(block.length - 1), fc.integer({ min: 1, max: 255 }), (at, flip) => {
        const damaged = block.slice()
        damaged[at] = (damaged[at] as number) ^ flip
        expect(() => decodeBlock(damaged)).toThrow(ChunkCorrupt)
      }),
    )
  })
})
