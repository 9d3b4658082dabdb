import { afterEach, describe, expect, it, vi } from 'vitest'
import { systemClock } from './clock.ts'
import { startPeriodic } from './periodic.ts'

describe('startPeriodic', () => {
  afterEach(() => void vi.useRealTimers())
  it('keeps running after a failed round, never overlaps rounds, and stops', async () => {
    vi.useFakeTimers()
    const errors: unknown[] = []
    let rounds = 0
    let active = 0
    let maxActive = 0
    const job = startPeriodic(
      systemClock,
      1_000,
      async () => {
        rounds++
        active++
        maxActive = Math.max(maxActive, active)
        await new Promise((resolve) => setTimeout(resolve, 1_500)) // longer than the interval
        active--
        if (rounds === 1) throw new Error('boom')
      },
      (err) => errors.push(err),
    )
    await vi.advanceTimersByTimeAsync(10_000)
    expect(rounds).toBe(4) // every 2.5 s: 1 s wait + 1.5 s round
    expect(maxActive).toBe(1)
    expect(errors.map(String)).toEqual(['Error: boom'])
    job.stop()
    await vi.advanceTimersByTimeAsync(10_000)
    expect(rounds).toBe(4)
    expect(vi.getTimerCount()).toBe(0)
  })
})
