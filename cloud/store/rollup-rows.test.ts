import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import type { Sample } from '../../shared/wire/sample.ts'
import { ROLLUP_WIDTHS, rollupSamples } from './historian/rollup.ts'
import { rollupRows } from './rollup-rows.ts'

/** The rows as first defined: each point's samples (in batch order) through rollupSamples. */
function definedRows(samples: readonly Sample[], width: number) {
  const byPoint = new Map<string, Sample[]>()
  for (const s of samples) byPoint.set(s.point, [...(byPoint.get(s.point) ?? []), s])
  return [...byPoint].flatMap(([point, list]) =>
    rollupSamples(list, width).map((r) =>
      r.count > 0
        ? { point, ...r }
        : {
            point,
            start: r.start,
            count: 0,
            min: null,
            max: null,
            sum: 0,
            last: null,
            lastTs: null,
            notGood: r.notGood,
          },
    ),
  )
}

describe('rollupRows', () => {
  it('gives the rows of rollupSamples per point, for any batch (points repeated, out of order, any quality)', () => {
    const sample = fc.record({
      point: fc.constantFrom('p.a', 'p.b', 'p.c'),
      ts: fc.integer({ min: 0, max: 3 * 3_600_000 }),
      value: fc.oneof(fc.double({ noNaN: true }), fc.boolean(), fc.string(), fc.constant(null)),
      quality: fc.constantFrom('good', 'bad', 'uncertain'),
    }) as fc.Arbitrary<Sample>
    fc.assert(
      fc.property(fc.array(sample, { maxLength: 60 }), fc.constantFrom(...Object.values(ROLLUP_WIDTHS)), (list, w) => {
        expect(rollupRows(list, w)).toEqual(definedRows(list, w))
      }),
      { numRuns: 500 },
    )
  })
})
