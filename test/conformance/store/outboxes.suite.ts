import { afterEach, beforeEach, describe, expect } from 'vitest'
import type { Store } from '../../../cloud/store/store.ts'
import {
  boundRegistry,
  EDGE,
  LEVEL,
  PRESSURE,
  type RepoFactoryOptions,
  type RepoHandle,
  sectionTest,
  T0,
} from './fixtures.ts'

/** What the outboxes section needs: the marks (OutboxRepo), the replacements as gaps, the edge list's mark, the registry. */
export type OutboxRepos = Pick<Store, 'setAckedThrough' | 'loadAckStates' | 'listGaps' | 'listEdges' | 'applyRegistry'>

/** A batch's key as ingest stores it: its outbox noted, its row written (no samples needed here). */
export interface BatchKey {
  edge: string
  outbox: string
  seq: number
  floor: number
  /** Its newest sample's time. */
  maxTs: number
  receivedAt: number
}

export interface OutboxSectionOptions {
  name: string
  newRepos: (options: RepoFactoryOptions) => Promise<
    RepoHandle<OutboxRepos> & {
      /** What ingest writes of a batch's outbox and key (the engine's own ingest, or its outbox step where ingest is still to come). */
      storeBatch(key: BatchKey): Promise<void>
    }
  >
  skip?: string[]
}

const A = 'outbox-aaaa0001'
const B = 'outbox-bbbb0002'

/** OutboxRepo (cloud/store/repos/outboxes.ts) and the outbox identities behind it, as executable tests. */
export function runOutboxTests(options: OutboxSectionOptions): void {
  const test = sectionTest(options.skip)
  describe(`Store conformance: ${options.name} — outboxes`, () => {
    let handle: Awaited<ReturnType<OutboxSectionOptions['newRepos']>>
    let repos: OutboxRepos
    beforeEach(async () => {
      handle = await options.newRepos({})
      repos = handle.repos
      await repos.applyRegistry(boundRegistry)
    })
    afterEach(() => handle.dispose())
    const store = (outbox: string, seq: number, at = T0, floor = 1) =>
      handle.storeBatch({ edge: EDGE, outbox, seq, floor, maxTs: at - 500, receivedAt: at })

    test('outboxes: a mark never goes down; a mark for an outbox never seen changes nothing', async () => {
      await store(A, 1)
      await repos.setAckedThrough(EDGE, 1, A)
      await repos.setAckedThrough(EDGE, 0, A)
      await repos.setAckedThrough(EDGE, 9, 'outbox-never000')
      expect(await repos.loadAckStates()).toEqual([
        { edge: EDGE, outbox: A, ackedThrough: 1, current: true, above: [] },
      ])
      expect((await repos.listEdges())[0]).toMatchObject({ id: EDGE, outboxId: A, ackedThrough: 1 })
    })

    test('outboxes: the batches stored above the mark are loaded with it, in seq order', async () => {
      for (const seq of [1, 4, 3, 7]) await store(A, seq, T0, 2)
      await repos.setAckedThrough(EDGE, 3, A)
      expect(await repos.loadAckStates()).toEqual([
        {
          edge: EDGE,
          outbox: A,
          ackedThrough: 3,
          current: true,
          above: [
            { seq: 4, floor: 2 },
            { seq: 7, floor: 2 },
          ],
        },
      ])
    })

    test('outboxes: a new outbox replaces the current one: each keeps its mark, the new one is current, the loss is a gap of unknown size', async () => {
      await store(A, 1, T0 + 1000)
      await store(A, 2, T0 + 2000)
      await repos.setAckedThrough(EDGE, 2, A)
      await store(B, 1, T0 + 9000)
      await repos.setAckedThrough(EDGE, 1, B)
      const states = await repos.loadAckStates()
      // The current outbox is loaded last (the ack tracker's `latest`).
      expect(states.map((s) => [s.outbox, s.ackedThrough, s.current])).toEqual([
        [A, 2, false],
        [B, 1, true],
      ])
      expect((await repos.listEdges())[0]).toMatchObject({ outboxId: B, ackedThrough: 1 })
      const replaced = {
        edge: EDGE,
        reason: 'outbox_replaced',
        oldOutbox: A,
        newOutbox: B,
        lastSeq: 2,
        lastTs: T0 + 1500,
        fromSeq: 3,
        throughSeq: null,
        batches: null,
        samples: null,
        from: T0 + 1500,
        to: T0 + 9000,
        points: 'all',
        at: T0 + 9000,
        receivedAt: T0 + 9000,
      }
      expect(await repos.listGaps({ limit: 10 })).toEqual([replaced])
      // Every point of the edge: listed for its points, not for another edge's.
      expect(await repos.listGaps({ point: LEVEL, limit: 10 })).toEqual([replaced])
      expect(await repos.listGaps({ point: PRESSURE, limit: 10 })).toEqual([])
      expect(await repos.listGaps({ edge: 'park-01', limit: 10 })).toEqual([])
      expect(await repos.listGaps({ from: T0 + 9001, limit: 10 })).toEqual([])
      expect(await repos.listGaps({ to: T0 + 1499, limit: 10 })).toEqual([])
    })

    test('outboxes: a batch of an earlier outbox is stored under its own id and makes it current again, with no new replacement', async () => {
      await store(A, 1, T0 + 1000)
      await store(B, 1, T0 + 2000)
      await store(A, 2, T0 + 3000)
      const states = await repos.loadAckStates()
      expect(states.map((s) => [s.outbox, s.current, s.above.map((b) => b.seq)])).toEqual([
        [B, false, [1]],
        [A, true, [1, 2]],
      ])
      expect(await repos.listGaps({ limit: 10 })).toHaveLength(1)
    })
  })
}
