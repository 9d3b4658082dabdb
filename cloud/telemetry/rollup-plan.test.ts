import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { HOUR, MINUTE, planSources, worthRollups, type Span } from './rollup-plan.ts'

const T = Date.UTC(2025, 0, 31)
const plans = fc
  .record({
    from: fc.oneof(
      fc.integer({ min: 0, max: 48 }).map((h) => T + h * HOUR),
      fc.integer({ min: 0, max: 2880 }).map((m) => T + m * MINUTE),
      fc.integer({ min: T, max: T + 48 * HOUR }),
    ),
    step: fc.oneof(
      fc.integer({ min: 1, max: 30 }).map((h) => h * HOUR),
      fc.integer({ min: 1, max: 300 }).map((m) => m * MINUTE),
      fc.integer({ min: 1, max: 5 * HOUR }),
    ),
    span: fc.integer({ min: 1, max: 96 * HOUR }),
  })
  .filter((p) => p.span / p.step <= 5_000)
  .map((p) => ({ from: p.from, to: p.from + p.span, step: p.step }))

const onGrid = (s: Span, w: number) => s.from % w === 0 && s.to % w === 0

describe('planSources: where each bucket is read from', () => {
  it('covers [from, to) exactly once; rollup spans on their grid; no rollup row across a bucket boundary (property)', () => {
    fc.assert(
      fc.property(plans, (plan) => {
        const out = planSources(plan)
        const bucketOf = (t: number) => Math.floor((t - plan.from) / plan.step)
        const pieces: Span[] = []
        for (const [source, width] of [
          ['1h', HOUR],
          ['1m', MINUTE],
        ] as const)
          for (const s of out[source]) {
            expect(onGrid(s, width)).toBe(true)
            for (let r = s.from; r < s.to; r += width) expect(bucketOf(r)).toBe(bucketOf(r + width - 1))
            pieces.push(s)
          }
        pieces.push(...out.raw)
        pieces.sort((a, b) => a.from - b.from)
        let at = plan.from
        for (const p of pieces) {
          expect(p.from).toBe(at)
          expect(p.to).toBeGreaterThan(p.from)
          at = p.to
        }
        expect(at).toBe(plan.to)
      }),
      { numRuns: 150 },
    )
  })

  it('reads an hour-aligned plan from the 1-h rollups, with the raw path only for a `to` inside a minute', () => {
    const plan = { from: T, to: T + 1096 * 24 * HOUR + 30_000, step: 24 * HOUR }
    const out = planSources(plan)
    expect(out['1h']).toEqual([{ from: T, to: T + 1096 * 24 * HOUR }])
    expect(out['1m']).toEqual([])
    expect(out.raw).toEqual([{ from: plan.to - 30_000, to: plan.to }])
    expect(worthRollups(plan, out)).toBe(true)
  })

  it('sends a plan of mostly partial minutes (step 90 s) and one under a minute to the raw path', () => {
    expect(
      worthRollups(
        { from: T + 1, to: T + HOUR, step: 90_000 },
        planSources({ from: T + 1, to: T + HOUR, step: 90_000 }),
      ),
    ).toBe(false)
    const fine = { from: T, to: T + HOUR, step: 30_000 }
    expect(planSources(fine)).toEqual({ '1h': [], '1m': [], raw: [{ from: T, to: T + HOUR }] })
  })
})
