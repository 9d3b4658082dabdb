import { afterEach, beforeEach, describe, expect } from 'vitest'
import type { AlarmChange, Store } from '../../../cloud/store/store.ts'
import type { Sample } from '../../../shared/wire/sample.ts'
import {
  batch,
  EDGE,
  good,
  LEVEL,
  OUTBOX,
  type RepoFactoryOptions,
  type RepoHandle,
  registry,
  sectionTest,
  T0,
} from './fixtures.ts'

/** What the ingest section needs: IngestRepo, the registry it applies, the ack marks (OutboxRepo). */
export type IngestRepos = Pick<Store, 'ingestBatch' | 'evaluateThrough' | 'applyRegistry' | 'loadAckStates'>

/**
 * What the section reads back where an engine's read repositories are not all there yet: the
 * runner answers from its own engine (the public reads where it has them, else its tables).
 */
export interface IngestInspect {
  /** Samples stored, over every point. */
  sampleCount(): Promise<number>
  /** Every alarm, oldest first. */
  alarms(): Promise<
    Array<{ id: number; point: string; kind: string; state: string; raisedAt: number; recoveredAt: number | null }>
  >
  /** The points that have a stored rule state, sorted. */
  ruleStatePoints(): Promise<string[]>
  /** A point's trace of unevaluated samples: [reason, samples], newest first. */
  unevaluated(point: string): Promise<Array<[string, number]>>
  /** An approved maintenance window over the points (as the park approves one). */
  approveWindow(points: string[], from: number, to: number): Promise<void>
  /** Planned pushes in the ledger. */
  deliveries(): Promise<number>
}

export interface IngestSectionOptions {
  name: string
  newRepos: (options: RepoFactoryOptions) => Promise<RepoHandle<IngestRepos> & { inspect: IngestInspect }>
  skip?: string[]
}

const UNRULED = 'shilian.tk101.note'
const meta = { site: 'huaian', receivedAt: T0 }

/** IngestRepo (cloud/store/repos/ingest.ts): the batch transaction, as executable tests on every engine. */
export function runIngestTests(options: IngestSectionOptions): void {
  const test = sectionTest(options.skip)
  describe(`Store conformance: ${options.name} — ingest`, () => {
    let handles: Array<Awaited<ReturnType<IngestSectionOptions['newRepos']>>>
    const open = async (o: RepoFactoryOptions = {}) => {
      const h = await options.newRepos(o)
      handles.push(h)
      await h.repos.applyRegistry(registry)
      return h
    }
    beforeEach(() => {
      handles = []
    })
    afterEach(async () => {
      for (const h of handles) await h.dispose()
    })

    test('ingest: a key stored again is a duplicate, with other content a conflict, and nothing of either is stored', async () => {
      const { repos, inspect } = await open()
      const b = batch(1, [good(LEVEL, T0, 5)])
      expect(await repos.ingestBatch(b, meta)).toMatchObject({ duplicate: false, samples: 1 })
      expect(await repos.ingestBatch(b, meta)).toMatchObject({ duplicate: true, samples: 0 })
      const other = await repos.ingestBatch({ ...b, samples: [good(LEVEL, T0, 11)] }, meta)
      expect(other.conflict?.storedHash).toBeDefined()
      expect(other.duplicate).toBe(false)
      expect(await inspect.sampleCount()).toBe(1)
      expect(await inspect.alarms()).toEqual([])
    })

    test('ingest: a batch whose pushes cannot be planned leaves nothing behind, and its resend is stored whole', async () => {
      let fail = true
      const { repos, inspect } = await open({
        planPushes: (alarm) => {
          if (fail) throw new Error('planner down')
          return [{ recipient: 'ops', channel: 'webhook', dueAt: alarm.raisedAt, n: 1 }]
        },
      })
      const b = batch(1, [good(LEVEL, T0 + 1, 9.7)])
      await expect(repos.ingestBatch(b, { ...meta, ackedThrough: 1 })).rejects.toThrow(/planner down/)
      expect(await inspect.sampleCount()).toBe(0)
      expect(await inspect.alarms()).toEqual([])
      expect(await inspect.ruleStatePoints()).toEqual([])
      expect(await repos.loadAckStates()).toEqual([])
      fail = false
      expect(await repos.ingestBatch(b, { ...meta, ackedThrough: 1 })).toMatchObject({ duplicate: false, raised: 1 })
      expect(await inspect.sampleCount()).toBe(1)
      expect(await inspect.deliveries()).toBe(1)
      expect((await repos.loadAckStates())[0]).toMatchObject({ ackedThrough: 1 })
    })

    test('ingest: raised and recovered onto the same rows, each change told after its commit', async () => {
      const seen: Array<Promise<{ change: AlarmChange; ids: number[] }>> = []
      let inspect: IngestInspect | undefined
      // A read started by the listener sees the change's alarm: it was told after the commit.
      const h = await open({
        onAlarmChange: (change) => {
          seen.push(inspect!.alarms().then((list) => ({ change, ids: list.map((a) => a.id) })))
        },
      })
      inspect = h.inspect
      expect(
        await h.repos.ingestBatch(batch(1, [good(LEVEL, T0 + 1, 9.7), good(LEVEL, T0 + 2, 10.8)]), meta),
      ).toMatchObject({ raised: 2 })
      expect(await h.repos.ingestBatch(batch(2, [good(LEVEL, T0 + 3, 5)]), meta)).toMatchObject({ recovered: 2 })
      const list = await inspect.alarms()
      expect(list.map((a) => [a.kind, a.state, a.raisedAt, a.recoveredAt])).toEqual([
        ['H', 'recovered', T0 + 1, T0 + 3],
        ['HH', 'recovered', T0 + 2, T0 + 3],
      ])
      const told = await Promise.all(seen)
      expect(told.map((t) => t.change.action)).toEqual(['raise', 'raise', 'recover', 'recover'])
      for (const t of told) expect(t.ids).toContain(t.change.alarm)
      expect(new Set(told.map((t) => t.change.alarm))).toEqual(new Set(list.map((a) => a.id)))
    })

    test('ingest: a raise inside an approved maintenance window is suppressed and counted', async () => {
      const { repos, inspect } = await open()
      await inspect.approveWindow([LEVEL], T0, T0 + 60_000)
      expect(await repos.ingestBatch(batch(1, [good(LEVEL, T0 + 1, 9.7)]), meta)).toMatchObject({
        raised: 0,
        suppressed: 1,
      })
      expect(await inspect.alarms()).toEqual([])
    })

    test('ingest: late and clock-skewed samples are stored and traced, not evaluated', async () => {
      const { repos, inspect } = await open()
      await repos.ingestBatch(batch(1, [good(LEVEL, T0 + 10, 5)]), meta)
      const skewed: Sample = {
        point: LEVEL,
        ts: T0 + 20,
        value: 11,
        quality: 'uncertain',
        reason: 'clock_skew:ahead:2h',
      }
      const r = await repos.ingestBatch(batch(2, [good(LEVEL, T0 + 5, 11), skewed]), meta)
      expect(r).toMatchObject({ samples: 2, raised: 0, unevaluated: { late: 1, clock_skew: 1 } })
      expect(await inspect.sampleCount()).toBe(3)
      expect((await inspect.unevaluated(LEVEL)).sort()).toEqual([
        ['clock_skew', 1],
        ['late', 1],
      ])
      expect(await inspect.alarms()).toEqual([])
    })

    test('ingest: a batch stored ahead of a gap waits; evaluateThrough evaluates it in seq order', async () => {
      const { repos, inspect } = await open()
      const ahead = batch(2, [good(LEVEL, T0 + 20, 9.7)], { historical: true })
      expect(await repos.ingestBatch(ahead, { ...meta, inOrder: false })).toMatchObject({
        deferred: true,
        raised: 0,
        samples: 1,
      })
      expect(await inspect.alarms()).toEqual([])
      expect(await repos.ingestBatch(batch(1, [good(LEVEL, T0 + 10, 5)]), meta)).toMatchObject({ raised: 0 })
      expect(await repos.evaluateThrough(EDGE, 2, T0 + 100, OUTBOX)).toMatchObject({ samples: 1, raised: 1 })
      expect((await inspect.alarms()).map((a) => [a.kind, a.raisedAt])).toEqual([['H', T0 + 20]])
      // Evaluated once: a second pass finds nothing left.
      expect(await repos.evaluateThrough(EDGE, 2, T0 + 200, OUTBOX)).toMatchObject({ samples: 0, raised: 0 })
    })

    test('ingest: rule state is kept for points with rules only', async () => {
      const { repos, inspect } = await open()
      await repos.ingestBatch(batch(1, [good(LEVEL, T0, 5), good(UNRULED, T0, 'open')]), meta)
      expect(await inspect.sampleCount()).toBe(2)
      expect(await inspect.ruleStatePoints()).toEqual([LEVEL])
    })
  })
}
