import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { T0, captureLogger, manualClock } from '../../test/cloud/helpers.ts'
import { createMetrics } from '../metrics.ts'
import type { CompactionResult } from '../store/store.ts'
import { startHistorianCompaction } from './compaction-job.ts'

/** The compaction job on the injected clock: its cutoff, its rounds, and a failed round that does not end it. */
describe('the historian compaction job', () => {
  beforeEach(() => vi.useFakeTimers())
  afterEach(() => vi.useRealTimers())

  it('seals what was received before now − compactAfterS every compactEveryS, and goes on after a failed round', async () => {
    const clock = manualClock(T0)
    const cutoffs: number[] = []
    const done: CompactionResult = { blocks: 2, samples: 10, chunks: 1, corrupt: 0 }
    const store = {
      compactSamples: async (before: number) => {
        cutoffs.push(before)
        if (cutoffs.length === 2) throw new Error('disk I/O error')
        return done
      },
    }
    const metrics = createMetrics(T0)
    const { log, lines } = captureLogger()
    const job = startHistorianCompaction({
      store,
      clock,
      log,
      metrics,
      config: { compactAfterS: 300, compactEveryS: 60 },
    })
    for (let round = 0; round < 3; round++) {
      clock.advance(60_000)
      await vi.advanceTimersByTimeAsync(60_000)
    }
    job.stop()
    expect(cutoffs).toEqual([T0 + 60_000 - 300_000, T0 + 120_000 - 300_000, T0 + 180_000 - 300_000])
    expect(metrics.historian).toMatchObject({ compactions: 2, compactionFailures: 1, compactedSamples: 20 })
    expect(lines().some((l) => String(l.msg).includes('the next round tries again'))).toBe(true)
    await vi.advanceTimersByTimeAsync(600_000)
    expect(cutoffs).toHaveLength(3)
    expect(await job.runOnce()).toEqual(done)
  })
})
