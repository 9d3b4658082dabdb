import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { ReplayGuard, RESERVE_SPAN, SendCounter } from './replay.ts'

describe('send counters and the replay guard (issue 20)', () => {
  it('a counter grows with every message, whatever the clock does, and continues above its saved reservation after a restart', () => {
    const a = new SendCounter(0)
    const first = a.next(1_000)
    expect(first.reserve).toBe(first.value + RESERVE_SPAN)
    const second = a.next(500) // the clock stepped back
    expect(second.value).toBe(first.value + 1)
    expect(second.reserve).toBeNull()
    // Restarted with the clock far behind: above everything the previous run could have sent.
    const b = new SendCounter(first.reserve!)
    expect(b.next(0).value).toBeGreaterThan(second.value)
  })

  it('property: counters of successive runs (each restarted from its last reservation) only grow', () => {
    fc.assert(
      fc.property(
        fc.array(fc.array(fc.nat({ max: 2_000_000_000 }), { minLength: 1, maxLength: 20 }), { maxLength: 5 }),
        (runs) => {
          let reserved = 0
          let last = 0
          for (const clocks of runs) {
            const c = new SendCounter(reserved)
            for (const now of clocks) {
              const n = c.next(now)
              expect(n.value).toBeGreaterThan(last)
              last = n.value
              if (n.reserve !== null) reserved = n.reserve
            }
          }
        },
      ),
    )
  })

  it('accepts each counter once, in any order within its window, and refuses what a restart restored', () => {
    const g = new ReplayGuard({}, 4)
    for (const c of [10, 12, 11]) {
      expect(g.check('e', c, false)).toBe('fresh')
      g.accept('e', c)
    }
    expect(g.check('e', 11, false)).toBe('replayed')
    expect(g.check('e', 11, true)).toBe('stale_retained')
    for (const c of [13, 14, 15]) g.accept('e', c)
    expect(g.check('e', 9, false)).toBe('replayed') // below the window
    expect(g.check('other', 1, false)).toBe('fresh')
    const restarted = new ReplayGuard(g.marks())
    expect(restarted.check('e', 15, false)).toBe('replayed')
    expect(restarted.check('e', 16, false)).toBe('fresh')
  })
})
