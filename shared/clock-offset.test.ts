import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { createClockOffsets } from './clock-offset.ts'

/** The offset estimator under arbitrary transit delays (fast-check). */
describe('clock offset estimate', () => {
  it('is never beyond the true offset, and exact once a prompt message is in the window', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: -86_400_000, max: 86_400_000 }),
        fc.array(fc.integer({ min: 0, max: 600_000 }), { minLength: 1, maxLength: 20 }),
        (offset, delays) => {
          const clocks = createClockOffsets(120_000)
          let estimate = 0
          delays.forEach((delay, i) => {
            const receivedAt = 1_000_000 + i * 5_000
            estimate = clocks.observe('e', receivedAt - delay + offset, receivedAt)
            expect(estimate).toBeLessThanOrEqual(offset)
          })
          const receivedAt = 1_000_000 + delays.length * 5_000
          expect(clocks.observe('e', receivedAt + offset, receivedAt)).toBe(offset)
        },
      ),
    )
  })

  it('forgets what left the window: a step behind shows once the window has passed', () => {
    const clocks = createClockOffsets(60_000)
    expect(clocks.observe('e', 1_000, 1_000)).toBe(0)
    expect(clocks.observe('e', 30_000 - 90_000, 30_000)).toBe(0)
    expect(clocks.observe('e', 70_000 - 90_000, 70_000)).toBe(-90_000)
    expect(clocks.observe('other', 70_000, 70_000)).toBe(0)
  })
})
