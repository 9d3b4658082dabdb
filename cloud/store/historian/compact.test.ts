import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { groupByPoint } from './block.ts'
import { planSegments, sealSegments } from './compact.ts'

const HOUR = 3_600_000
const sample = fc.record({
  point: fc.constantFrom('A', 'B', 'C'),
  ts: fc.integer({ min: 0, max: 5 * HOUR }),
  value: fc.integer(),
  quality: fc.constant('good' as const),
})

describe('historian compaction plan', () => {
  it('puts every sample of every block in exactly one segment: its point, its hour, by time, arrival order on ties', () => {
    fc.assert(
      fc.property(fc.array(fc.array(sample, { maxLength: 30 }), { maxLength: 12 }), (batches) => {
        const arrival = batches.flat().map((s, i) => ({ ...s, value: i }))
        let at = 0
        const blocks = batches.map((b) => groupByPoint(b.map(() => arrival[at++]!)))
        const segments = planSegments(blocks)
        expect(segments.reduce((n, s) => n + s.samples.length, 0)).toBe(arrival.length)
        for (const seg of segments) {
          const want = arrival
            .filter((s) => s.point === seg.point && s.ts >= seg.start && s.ts < seg.start + HOUR)
            .sort((a, b) => a.ts - b.ts || a.value - b.value)
            .map(({ point: _, ...s }) => s)
          expect(seg.samples).toEqual(want)
        }
      }),
    )
  })

  it('seals a span from its segments with the older compaction first on equal times', () => {
    const first = [{ ts: 10, value: 1, quality: 'good' as const }]
    const second = [
      { ts: 5, value: 2, quality: 'good' as const },
      { ts: 10, value: 3, quality: 'good' as const },
    ]
    expect(sealSegments([first, second]).map((s) => s.value)).toEqual([2, 1, 3])
  })
})
