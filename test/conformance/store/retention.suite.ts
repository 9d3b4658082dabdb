import { afterEach, beforeEach, describe, expect } from 'vitest'
import type { RetentionRepo } from '../../../cloud/store/repos/retention.ts'
import { cutoffsAt, DAY_MS, defaultRetention } from '../../../cloud/telemetry/retention-policy.ts'
import type { Sample } from '../../../shared/wire/sample.ts'
import { LEVEL, type RepoHandle, sectionTest, type SectionOptions } from './fixtures.ts'

/** What the retention section needs: the repository, and the engine's way to put telemetry in and count it. */
export interface RetentionRepos {
  retention: RetentionRepo
  /**
   * Stores one sample that arrived at `receivedAt` with its 1-min and 1-h rollups: `sealed` into
   * its hour's chunk (as the compaction leaves it) or still in its batch's block.
   */
  put(sample: Sample, receivedAt: number, form: 'sealed' | 'block'): Promise<void>
  /** Raw samples held (chunks and blocks). */
  rawCount(): Promise<number>
  /** The rollup rows' starts, ascending. */
  rollupStarts(width: '1m' | '1h'): Promise<number[]>
}

// Mid-month, so no sample below sits in the same month (or, for the 1-h rollups, year) as a
// cutoff: an engine that drops whole time partitions (PostgreSQL) and one that drops whole
// chunks (SQLite) then remove exactly the same rows.
const NOW = Date.UTC(2026, 5, 15, 12)
const ago = (days: number) => NOW - days * DAY_MS
const good = (ts: number, value: number): Sample => ({ point: LEVEL, ts, value, quality: 'good' })
const minute = (t: number) => t - (t % 60_000)
const hour = (t: number) => t - (t % 3_600_000)

/**
 * RetentionRepo (cloud/store/repos/retention.ts) as executable tests, on fake time (the `at` and
 * cutoffs given): raw samples older than their cutoff by time AND by arrival go, 1-min and 1-h
 * rollup rows older than theirs go, the rest stays, and every run is recorded per kind.
 */
export function runRetentionTests(options: SectionOptions<RetentionRepos>): void {
  const test = sectionTest(options.skip)
  describe(`Store conformance: ${options.name} — retention`, () => {
    let handle: RepoHandle<RetentionRepos>
    let repos: RetentionRepos
    beforeEach(async () => {
      handle = await options.newRepos({})
      repos = handle.repos
    })
    afterEach(() => handle.dispose())

    /** Default policy: raw 1 year, 1-min rollups 3 years, 1-h rollups 10 years. */
    const park = async () => {
      // Sealed into chunks, each arrived when measured: 10 days, 400 days, 1200 days, 4000 days old.
      for (const [days, v] of [
        [10, 1],
        [400, 2],
        [1200, 3],
        [4000, 4],
      ] as const)
        await repos.put(good(ago(days), v), ago(days), 'sealed')
      // Stamped 420 days ago but arrived now (an edge whose clock was set back: clock_skew).
      await repos.put(good(ago(420), 5), NOW, 'sealed')
      // Blocks not compacted yet: one arrived 500 days ago, one stamped 430 days ago arrived now.
      await repos.put(good(ago(500), 6), ago(500), 'block')
      await repos.put(good(ago(430), 7), NOW, 'block')
    }

    test('retention: raw > 1 year (by time and arrival), 1-min rows > 3 years, 1-h rows > 10 years go; the run is recorded', async () => {
      await park()
      expect(await repos.rawCount()).toBe(7)
      const cutoffs = cutoffsAt(NOW, defaultRetention)
      expect(await repos.retention.applyRetention(cutoffs, NOW)).toEqual([
        { at: NOW, kind: 'raw', cutoff: cutoffs.raw, removed: 4 },
        { at: NOW, kind: 'rollup_1m', cutoff: cutoffs.rollup_1m, removed: 2 },
        { at: NOW, kind: 'rollup_1h', cutoff: cutoffs.rollup_1h, removed: 1 },
      ])
      // Left: the 10-day-old sample and the two that arrived now.
      expect(await repos.rawCount()).toBe(3)
      const kept = [500, 430, 420, 400, 10].map(ago)
      expect(await repos.rollupStarts('1m')).toEqual(kept.map(minute))
      expect(await repos.rollupStarts('1h')).toEqual([ago(1200), ...kept].map(hour))
      expect(await repos.retention.listRetentionRuns(10)).toEqual([
        { at: NOW, kind: 'rollup_1h', cutoff: cutoffs.rollup_1h, removed: 1 },
        { at: NOW, kind: 'rollup_1m', cutoff: cutoffs.rollup_1m, removed: 2 },
        { at: NOW, kind: 'raw', cutoff: cutoffs.raw, removed: 4 },
      ])
    })

    test('retention: what arrived recently goes a full period after its arrival; a second run records that nothing else went', async () => {
      await park()
      await repos.retention.applyRetention(cutoffsAt(NOW, defaultRetention), NOW)
      const again = await repos.retention.applyRetention(cutoffsAt(NOW, defaultRetention), NOW + 1)
      expect(again.map((r) => r.removed)).toEqual([0, 0, 0])
      expect(await repos.rawCount()).toBe(3)
      // 400 days on, the raw cutoff is 35 days after NOW: all three are a year past their arrival.
      const later = NOW + 400 * DAY_MS
      const last = await repos.retention.applyRetention(cutoffsAt(later, defaultRetention), later)
      expect(last.map((r) => [r.kind, r.removed])).toEqual([
        ['raw', 3],
        ['rollup_1m', 0],
        ['rollup_1h', 0],
      ])
      expect(await repos.rawCount()).toBe(0)
      expect(await repos.retention.listRetentionRuns(10)).toHaveLength(9)
      expect((await repos.retention.listRetentionRuns(1))[0]).toMatchObject({ at: later, kind: 'rollup_1h' })
    })
  })
}
