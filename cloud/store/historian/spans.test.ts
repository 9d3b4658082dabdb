import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { inSpans } from './spans.ts'

describe('inSpans', () => {
  it('holds a time exactly when one of the half-open spans does, whatever their order', () => {
    const spans = fc
      .uniqueArray(fc.integer({ min: 0, max: 10_000 }), { minLength: 0, maxLength: 40 })
      .map((cuts) => [...cuts].sort((a, b) => a - b))
      // Disjoint spans as the rollup plan makes them: every other gap between sorted cuts.
      .map((cuts) =>
        cuts.flatMap((c, i) => (i % 2 === 0 && i + 1 < cuts.length ? [{ from: c, to: cuts[i + 1]! }] : [])),
      )
    fc.assert(
      fc.property(spans, fc.array(fc.integer({ min: -10, max: 10_010 }), { maxLength: 50 }), (list, times) => {
        const held = inSpans([...list].reverse())
        const want = (t: number) => list.some((s) => s.from <= t && t < s.to)
        // Asked in any order, and in time order (as a chunk's samples come: the last gap is tried first).
        const ascending = [...times].sort((a, b) => a - b)
        return times.every((t) => held(t) === want(t)) && ascending.every((t) => held(t) === want(t))
      }),
    )
    expect(inSpans([])(5)).toBe(false)
    expect(inSpans([{ from: 0, to: 60_000 }])(60_000)).toBe(false)
  })
})
