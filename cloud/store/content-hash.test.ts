import { createHash } from 'node:crypto'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import type { DataBatch } from '../../shared/wire/messages.ts'
import { batchContentHash, canonicalJson } from './content-hash.ts'

/** The hash as stored hashes were first defined: JSON.stringify with a replacer rebuilding each object with sorted keys. */
function definedHash(batch: Pick<DataBatch, 'samples' | 'alarms' | 'events'>): string {
  const sorted = (_key: string, value: unknown): unknown => {
    if (value === null || typeof value !== 'object' || Array.isArray(value)) return value
    const record = value as Record<string, unknown>
    return Object.fromEntries(
      Object.keys(record)
        .sort()
        .map((k) => [k, record[k]]),
    )
  }
  return createHash('sha256')
    .update(JSON.stringify([batch.samples, batch.alarms ?? [], batch.events ?? []], sorted))
    .digest('hex')
}

const batch = {
  samples: [
    { point: 'p.a', ts: 1764547200000, value: 1.5, quality: 'good' },
    { quality: 'uncertain', value: 'ok "x" ✓', ts: 1764547200001, point: 'p.b', reason: 'clock_skew:ahead' },
    { point: 'p.c', ts: 1764547200002, value: true, quality: 'good', reason: undefined },
    { point: 'p.d', ts: 1764547200003, value: null, quality: 'bad', reason: 'comm_loss' },
  ],
  alarms: [
    { point: 'p.a', kind: 'HI', type: 'raise', ts: 1764547200000, value: 1.5, extra: { 10: 'a', 9: 'b', z: 1 } },
  ],
  events: [],
} as unknown as DataBatch

describe('batchContentHash', () => {
  it('keeps the hashes already stored: the same digest as before the one-pass writer', () => {
    // Computed with the replacer-based definition (commit a2ff2fd) for this batch and for an empty one.
    expect(batchContentHash(batch)).toBe('bfeb3d637c2e0624ae2613d23b5fcf0afc84b19f34107018a0b2f82e9676972b')
    expect(batchContentHash({ samples: [] })).toBe('5ae1625b488b3935122d8dd627fe575b388a5aa360378fa4407aad08baaed1e2')
    expect(batchContentHash(batch)).toBe(definedHash(batch))
  })

  it('writes the text JSON.stringify writes with sorted keys, for any JSON-like content', () => {
    fc.assert(
      fc.property(fc.anything({ withBoxedValues: false, withNullPrototype: true, withObjectString: true }), (v) => {
        expect(canonicalJson([v])).toBe(JSON.stringify([v], (_k, x) => sortedCopy(x)))
      }),
      { numRuns: 500 },
    )
  })

  it('hashes any batch as the definition does, and the same content with its keys in any order the same', () => {
    const sample = fc.record(
      {
        point: fc.string(),
        ts: fc.integer(),
        value: fc.oneof(fc.double(), fc.boolean(), fc.string(), fc.constant(null)),
        quality: fc.constantFrom('good', 'bad', 'uncertain'),
        reason: fc.string(),
      },
      { requiredKeys: ['point', 'ts', 'value', 'quality'] },
    )
    fc.assert(
      fc.property(fc.array(sample), fc.array(fc.object()), (samples, alarms) => {
        const b = { samples, alarms } as unknown as DataBatch
        expect(batchContentHash(b)).toBe(definedHash(b))
        const reordered = samples.map((s) => Object.fromEntries(Object.entries(s).reverse()))
        expect(batchContentHash({ ...b, samples: reordered } as unknown as DataBatch)).toBe(batchContentHash(b))
      }),
      { numRuns: 200 },
    )
  })

  it('hashes samples that are not plain (an extra key, a nested value, a class, a hole) as the definition does', () => {
    const odd = fc.oneof(
      fc.record({ point: fc.string(), ts: fc.integer(), value: fc.object(), quality: fc.constant('good') }),
      fc.record({ point: fc.string(), ts: fc.double(), quality: fc.string(), extra: fc.anything() }),
      fc.constant(Object.assign(Object.create({ inherited: 1 }), { point: 'p', ts: 1, value: 2, quality: 'good' })),
      fc.constant(undefined),
      fc.record({ point: fc.string(), ts: fc.double(), value: fc.double(), quality: fc.string(), reason: fc.string() }),
    )
    fc.assert(
      fc.property(fc.array(odd), (samples) => {
        const b = { samples } as unknown as DataBatch
        expect(batchContentHash(b)).toBe(definedHash(b))
      }),
      { numRuns: 300 },
    )
  })
})

function sortedCopy(value: unknown): unknown {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return value
  const record = value as Record<string, unknown>
  return Object.fromEntries(
    Object.keys(record)
      .sort()
      .map((k) => [k, record[k]]),
  )
}
