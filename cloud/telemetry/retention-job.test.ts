import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { systemClock } from '../../shared/clock.ts'
import { T0, batch, captureLogger, good, tempStore } from '../../test/cloud/helpers.ts'
import { FIRST_RUN_DELAY_MS, startRetentionJob } from './retention-job.ts'
import { DAY_MS, defaultRetention, type RetentionCutoffs, type RetentionRun } from './retention-policy.ts'

const HOUR = 3_600_000

beforeEach(() => void vi.useFakeTimers({ now: T0, toFake: ['setTimeout', 'clearTimeout', 'Date'] }))
afterEach(() => void vi.useRealTimers())

describe('the retention job (fake time)', () => {
  it('runs 1 min after start, then every everyHours, removing what aged out meanwhile', async () => {
    const env = await tempStore()
    const { log, lines } = captureLogger()
    const point = 'shilian.job.level'
    // 364.5 days old now: kept by the first run, 365 days old 12 h later: removed by the second.
    // Each arrived when measured (retention counts from arrival too), sealed as the compaction job does.
    for (const [seq, ts] of [T0 - 364.5 * DAY_MS, T0].entries()) {
      await env.store.ingestBatch(batch(seq + 1, [good(point, ts, seq + 1)]), { site: 'huaian', receivedAt: ts })
      await env.store.compactSamples(Number.MAX_SAFE_INTEGER)
    }
    const job = startRetentionJob({
      store: env.store,
      policy: { ...defaultRetention, everyHours: 12 },
      clock: systemClock,
      log,
    })
    try {
      expect(job.status.nextRunAt).toBe(T0 + FIRST_RUN_DELAY_MS)
      await vi.advanceTimersByTimeAsync(FIRST_RUN_DELAY_MS)
      await vi.waitFor(() => expect(job.status.lastRunAt).toBe(T0 + FIRST_RUN_DELAY_MS))
      expect(job.status.lastRun.find((r) => r.kind === 'raw')?.removed).toBe(0)
      await vi.advanceTimersByTimeAsync(12 * HOUR)
      await vi.waitFor(() => expect(job.status.lastRunAt).toBe(T0 + FIRST_RUN_DELAY_MS + 12 * HOUR))
      expect(job.status.lastRun.find((r) => r.kind === 'raw')?.removed).toBe(1)
      expect(await env.store.listRetentionRuns(10)).toHaveLength(6)
      expect(lines().filter((l) => l.msg === 'retention run done')).toHaveLength(2)
    } finally {
      await job.stop()
      await env.dispose()
    }
  })

  it('survives a failing run: logged, counted, and the next run still comes', async () => {
    const { log, lines } = captureLogger()
    const calls: number[] = []
    const store = {
      applyRetention: async (cutoffs: RetentionCutoffs, at: number): Promise<RetentionRun[]> => {
        calls.push(at)
        if (calls.length === 1) throw new Error('database is locked')
        return [{ at, kind: 'raw', cutoff: cutoffs.raw, removed: 7 }]
      },
    }
    const job = startRetentionJob({ store, policy: { ...defaultRetention, everyHours: 1 }, clock: systemClock, log })
    await vi.advanceTimersByTimeAsync(FIRST_RUN_DELAY_MS)
    await vi.waitFor(() => expect(job.status.failures).toBe(1))
    expect(job.status.lastError).toMatch(/database is locked/)
    expect(lines().some((l) => l.level === 50 && /retention run failed/.test(String(l.msg)))).toBe(true)
    await vi.advanceTimersByTimeAsync(HOUR)
    await vi.waitFor(() => expect(job.status.lastRun).toEqual([expect.objectContaining({ removed: 7 })]))
    expect(calls).toEqual([T0 + FIRST_RUN_DELAY_MS, T0 + FIRST_RUN_DELAY_MS + HOUR])
    await job.stop()
    expect(job.status.nextRunAt).toBeNull()
    await vi.advanceTimersByTimeAsync(5 * HOUR)
    expect(calls).toHaveLength(2)
  })
})
