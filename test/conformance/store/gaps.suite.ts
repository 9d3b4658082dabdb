import { afterEach, beforeEach, describe, expect } from 'vitest'
import type { GapRepo } from '../../../cloud/store/repos/gaps.ts'
import type { GapRecord } from '../../../shared/wire/gap.ts'
import { EDGE, LEVEL, PRESSURE, type RepoHandle, sectionTest, type SectionOptions, T0 } from './fixtures.ts'

/** What the gaps section needs: the edges' gap records alone (replaced outboxes: outboxes.suite.ts). */
export type GapRepos = GapRepo

const gap = (more: Partial<GapRecord> = {}): GapRecord => ({
  reason: 'cap',
  fromSeq: 3,
  throughSeq: 5,
  batches: 3,
  samples: 30,
  from: T0,
  to: T0 + 1000,
  points: [LEVEL],
  at: T0 + 2000,
  ...more,
})

/** GapRepo (cloud/store/repos/gaps.ts) as executable tests. */
export function runGapTests(options: SectionOptions<GapRepos>): void {
  const test = sectionTest(options.skip)
  describe(`Store conformance: ${options.name} — gaps`, () => {
    let handle: RepoHandle<GapRepos>
    let repos: GapRepos
    beforeEach(async () => {
      handle = await options.newRepos({})
      repos = handle.repos
    })
    afterEach(() => handle.dispose())

    test('gaps: recorded per edge, filtered by point and time; a narrower record never replaces a wider one', async () => {
      await repos.recordGaps(EDGE, [gap()], T0 + 3000)
      await repos.recordGaps(EDGE, [gap({ throughSeq: 4, batches: 2 })], T0 + 4000)
      expect(await repos.listGaps({ point: LEVEL, limit: 10 })).toEqual([
        { edge: EDGE, ...gap(), receivedAt: T0 + 3000 },
      ])
      expect(await repos.listGaps({ point: PRESSURE, limit: 10 })).toEqual([])
      expect(await repos.listGaps({ from: T0 + 5000, limit: 10 })).toEqual([])
    })

    test('gaps: a wider version replaces the stored one whole, with its own arrival time', async () => {
      await repos.recordGaps(EDGE, [gap()], T0 + 3000)
      const wider = gap({ reason: 'age', throughSeq: 9, batches: 7, samples: 70, to: T0 + 1500, points: 'all' })
      await repos.recordGaps(EDGE, [wider], T0 + 4000)
      expect(await repos.listGaps({ limit: 10 })).toEqual([{ edge: EDGE, ...wider, receivedAt: T0 + 4000 }])
      // The same width again is stored again (an edge's repeated answer).
      await repos.recordGaps(EDGE, [wider], T0 + 5000)
      expect(await repos.listGaps({ limit: 10 })).toMatchObject([{ receivedAt: T0 + 5000 }])
    })

    test('gaps: newest end first, at most the limit; filters by edge, overlap with [from, to] and "all" points', async () => {
      await repos.recordGaps(
        EDGE,
        [
          gap({ fromSeq: 1, throughSeq: 1, from: T0, to: T0 + 100 }),
          gap({ fromSeq: 10, throughSeq: 12, from: T0 + 500, to: T0 + 900, points: 'all' }),
        ],
        T0 + 3000,
      )
      await repos.recordGaps(
        'park-01',
        [gap({ fromSeq: 1, throughSeq: 2, from: T0 + 200, to: T0 + 300, points: [PRESSURE] })],
        T0 + 3000,
      )
      const seqs = (list: Array<{ edge: string; fromSeq: number | null }>) => list.map((g) => `${g.edge}:${g.fromSeq}`)
      expect(seqs(await repos.listGaps({ limit: 10 }))).toEqual([`${EDGE}:10`, 'park-01:1', `${EDGE}:1`])
      expect(seqs(await repos.listGaps({ limit: 2 }))).toEqual([`${EDGE}:10`, 'park-01:1'])
      expect(seqs(await repos.listGaps({ edge: 'park-01', limit: 10 }))).toEqual(['park-01:1'])
      // Overlap, both ends inclusive.
      expect(seqs(await repos.listGaps({ from: T0 + 100, to: T0 + 200, limit: 10 }))).toEqual([
        'park-01:1',
        `${EDGE}:1`,
      ])
      expect(seqs(await repos.listGaps({ from: T0 + 301, to: T0 + 499, limit: 10 }))).toEqual([])
      // "all" holds every point; a listed set only its own.
      expect(seqs(await repos.listGaps({ point: PRESSURE, limit: 10 }))).toEqual([`${EDGE}:10`, 'park-01:1'])
      expect(seqs(await repos.listGaps({ point: 'no.such', limit: 10 }))).toEqual([`${EDGE}:10`])
    })

    test('gaps: the records of one answer are stored all together, each under its own first seq', async () => {
      await repos.recordGaps(EDGE, [gap({ fromSeq: 1, throughSeq: 2 }), gap({ fromSeq: 5, throughSeq: 6 })], T0 + 3000)
      expect((await repos.listGaps({ edge: EDGE, limit: 10 })).map((g) => g.fromSeq).sort()).toEqual([1, 5])
      await repos.recordGaps(EDGE, [], T0 + 4000)
      expect(await repos.listGaps({ edge: EDGE, limit: 10 })).toHaveLength(2)
    })
  })
}
