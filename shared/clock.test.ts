import { describe, expect, it } from 'vitest'
import { backoffDelay } from './clock.ts'

describe('backoffDelay', () => {
  it('grows exponentially up to the cap, with jitter inside [base/2, ceiling)', () => {
    expect(backoffDelay(0, 1000, 30_000, () => 0.999)).toBe(999)
    expect(backoffDelay(3, 1000, 30_000, () => 0.999)).toBe(7992)
    expect(backoffDelay(20, 1000, 30_000, () => 0.999)).toBe(29_970)
    expect(backoffDelay(5, 1000, 30_000, () => 0)).toBe(500)
  })

  it('stays finite for huge attempt counts (never stops retrying)', () => {
    expect(backoffDelay(10_000, 500, 30_000, () => 0.5)).toBe(15_000)
  })
})
