import { describe, expect, it } from 'vitest'
import { untilReached } from './drain.ts'

describe('untilReached (the campaign drain)', () => {
  it('waits as long as the value advances, and returns once it reaches the goal', async () => {
    let n = 0
    const r = await untilReached(
      async () => n++,
      () => 20,
      { stallMs: 30_000, totalMs: 30_000, intervalMs: 1 },
    )
    expect(r).toEqual({ reached: true, last: 20 })
  })

  it('reads the goal again each time: a goal that moves slower than the value is reached', async () => {
    let n = 0
    const r = await untilReached(
      async () => (n += 2),
      () => 10 + n / 2,
      { stallMs: 30_000, totalMs: 30_000, intervalMs: 1 },
    )
    expect(r.reached).toBe(true)
  })

  it('gives up on a value that no longer advances', async () => {
    let n = 0
    const r = await untilReached(
      async () => Math.min(n++, 3),
      () => 10,
      { stallMs: 50, totalMs: 30_000, intervalMs: 1 },
    )
    expect(r).toEqual({ reached: false, last: 3 })
  })

  it('gives up on a goal that runs away as fast as the value, after the whole bound', async () => {
    let n = 0
    const r = await untilReached(
      async () => n++,
      () => n + 10,
      { stallMs: 30_000, totalMs: 50, intervalMs: 1 },
    )
    expect(r.reached).toBe(false)
  })
})
