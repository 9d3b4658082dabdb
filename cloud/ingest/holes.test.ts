import { describe, expect, it } from 'vitest'
import { AckTracker } from './ack-tracker.ts'
import { HoleWatch } from './holes.ts'

describe('hole watch', () => {
  const state = (tracker: AckTracker) =>
    tracker.edges().map((edge) => ({ edge, through: tracker.through(edge), pending: tracker.pending(edge) }))

  it('asks for a hole that persists, again after retryMs, and forgets it once filled', () => {
    const tracker = new AckTracker()
    const watch = new HoleWatch({ afterMs: 10_000, retryMs: 30_000 })
    for (const seq of [1, 2, 5, 6]) tracker.record('e1', seq, 1)
    tracker.record('e2', 1, 1)
    expect(watch.check(0, state(tracker))).toEqual([]) // just seen: may be a redelivery in flight
    expect(watch.check(9_999, state(tracker))).toEqual([])
    expect(watch.check(10_000, state(tracker))).toEqual([{ edge: 'e1', fromSeq: 3, toSeq: 4 }])
    expect(watch.check(20_000, state(tracker))).toEqual([]) // asked recently
    expect(watch.check(40_000, state(tracker))).toEqual([{ edge: 'e1', fromSeq: 3, toSeq: 4 }])
    tracker.record('e1', 3, 1) // the mark moves: a new, shorter hole starts its own wait
    expect(watch.check(41_000, state(tracker))).toEqual([])
    expect(watch.check(51_000, state(tracker))).toEqual([{ edge: 'e1', fromSeq: 4, toSeq: 4 }])
    tracker.record('e1', 4, 1)
    expect(tracker.pending('e1')).toEqual([])
    expect(watch.check(100_000, state(tracker))).toEqual([])
  })

  it('caps a long hole to maxRange seqs', () => {
    const tracker = new AckTracker()
    tracker.record('e1', 5_000, 1)
    const watch = new HoleWatch({ afterMs: 1, retryMs: 1, maxRange: 100 })
    watch.check(0, state(tracker))
    expect(watch.check(1, state(tracker))).toEqual([{ edge: 'e1', fromSeq: 1, toSeq: 100 }])
  })
})
