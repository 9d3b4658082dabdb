import { beforeEach, describe, expect, it, vi } from 'vitest'
import { T0, batch, captureLogger, good, tempStore } from '../../test/cloud/helpers.ts'
import { type SteppedClock, steppedClock } from '../../test/util/stepped-clock.ts'
import { FIRST_RUN_DELAY_MS, startRetentionJob } from './retention-job.ts'
import { DAY_MS, defaultRetention, type RetentionCutoffs, type RetentionRun } from './retention-policy.ts'

const HOUR = 3_600_000

// Fake time on the job's injected clock: the store keeps real timers (test/util/stepped-clock.ts).
let clock: SteppedClock
beforeEach(() => void (clock = steppedClock(T0)))

describe('the retention job (fake time)', () => {
  it('runs 1 min after start, then every everyHours, removing what aged out meanwhile', async () => {
    // Started 6 h before T0 (2025-01-30 18:00 UTC), so that the old sample, in the last hour of
    // January 2024, ages out between the runs on both engines: PostgreSQL drops whole monthly
    // partitions (cloud/store/postgres/retention.ts), and January's is wholly older than the
    // second run's cutoff (1 Feb 06:01) but not the first's (31 Jan 18:01).
    const start = T0 - 6 * HOUR
    clock.set(start)
    const env = await tempStore()
    const { log, lines } = captureLogger()
    const point = 'shilian.job.level'
    // 364 d 19 h old at start: kept by the first run, 365 d 7 h old 12 h later: removed by the second.
    // Each arrived when measured (retention counts from arrival too), sealed as the compaction job does.
    for (const [seq, ts] of [start - 365 * DAY_MS + 5 * HOUR, start].entries()) {
      await env.store.ingestBatch(batch(seq + 1, [good(point, ts, seq + 1)]), { site: 'huaian', receivedAt: ts })
      await env.store.compactSamples(Number.MAX_SAFE_INTEGER)
    }
    const job = startRetentionJob({
      store: env.store,
      policy: { ...defaultRetention, everyHours: 12 },
      clock,
      log,
    })
    try {
      expect(job.status.nextRunAt).toBe(start + FIRST_RUN_DELAY_MS)
      await clock.advance(FIRST_RUN_DELAY_MS)
      await vi.waitFor(() => expect(job.status.lastRunAt).toBe(start + FIRST_RUN_DELAY_MS))
      expect(job.status.lastRun.find((r) => r.kind === 'raw')?.removed).toBe(0)
      await clock.advance(12 * HOUR)
      await vi.waitFor(() => expect(job.status.lastRunAt).toBe(start + FIRST_RUN_DELAY_MS + 12 * HOUR))
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
    const job = startRetentionJob({ store, policy: { ...defaultRetention, everyHours: 1 }, clock, log })
    await clock.advance(FIRST_RUN_DELAY_MS)
    await vi.waitFor(() => expect(job.status.failures).toBe(1))
    expect(job.status.lastError).toMatch(/database is locked/)
    expect(lines().some((l) => l.level === 50 && /retention run failed/.test(String(l.msg)))).toBe(true)
    await clock.advance(HOUR)
    await vi.waitFor(() => expect(job.status.lastRun).toEqual([expect.objectContaining({ removed: 7 })]))
    expect(calls).toEqual([T0 + FIRST_RUN_DELAY_MS, T0 + FIRST_RUN_DELAY_MS + HOUR])
    await job.stop()
    expect(job.status.nextRunAt).toBeNull()
    await clock.advance(5 * HOUR)
    expect(calls).toHaveLength(2)
  })
})
