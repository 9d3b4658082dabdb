import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { AckTracker } from './ack-tracker.ts'

/** [seq, floor] arrivals for one edge, and the mark expected after each. */
type Step = [seq: number, floor: number, through: number]

describe('AckTracker', () => {
  it.each<[string, Step[]]>([
    [
      'in order from 1',
      [
        [1, 1, 1],
        [2, 1, 2],
        [3, 1, 3],
      ],
    ],
    [
      'out of order: 2 before 1 holds the mark at 0, then jumps',
      [
        [2, 1, 0],
        [1, 1, 2],
        [3, 1, 3],
      ],
    ],
    [
      '5 before 4',
      [
        [1, 1, 1],
        [2, 1, 2],
        [3, 1, 3],
        [5, 1, 3],
        [4, 1, 5],
      ],
    ],
    [
      'a hole stays a hole until filled',
      [
        [1, 1, 1],
        [3, 1, 1],
        [4, 1, 1],
        [5, 1, 1],
        [2, 1, 5],
      ],
    ],
    [
      'duplicates change nothing',
      [
        [1, 1, 1],
        [1, 1, 1],
        [3, 1, 1],
        [3, 1, 1],
        [2, 1, 3],
        [2, 1, 3],
      ],
    ],
    [
      'a duplicate below the mark does not move it back',
      [
        [1, 1, 1],
        [2, 1, 2],
        [1, 1, 2],
      ],
    ],
    [
      'first batch seen with floor 10: everything below was acked or evicted',
      [
        [10, 10, 10],
        [11, 10, 11],
      ],
    ],
    [
      'a floor jump passes an evicted hole',
      [
        [1, 1, 1],
        [3, 1, 1],
        [4, 3, 4],
      ],
    ],
    [
      'a floor jump stops at a hole the edge still holds',
      [
        [1, 1, 1],
        [5, 1, 1],
        [7, 1, 1],
        [6, 4, 3],
        [4, 4, 7],
      ],
    ],
    [
      'a floor jump lands exactly at the mark',
      [
        [1, 1, 1],
        [2, 2, 2],
      ],
    ],
    [
      'a floor below the mark changes nothing',
      [
        [1, 1, 1],
        [2, 1, 2],
        [3, 1, 3],
        [5, 2, 3],
      ],
    ],
    [
      'floor = seq on a later batch only opens the way to seq',
      [
        [1, 1, 1],
        [8, 8, 8],
        [10, 8, 8],
        [9, 8, 10],
      ],
    ],
  ])('%s', (_name, steps) => {
    const tracker = new AckTracker()
    for (const [seq, floor, through] of steps) {
      expect(tracker.record('e1', seq, floor), `after seq ${seq} floor ${floor}`).toBe(through)
      expect(tracker.through('e1')).toBe(through)
    }
  })

  it('keeps edges apart', () => {
    const tracker = new AckTracker()
    tracker.record('a', 1, 1)
    tracker.record('b', 2, 1)
    expect([tracker.through('a'), tracker.through('b'), tracker.through('c')]).toEqual([1, 0, 0])
    expect(tracker.pending('b')).toEqual([2])
  })

  it.each<[string, { ackedThrough: number; above: Array<{ seq: number; floor: number }> }, number, number[]]>([
    ['nothing stored above the mark', { ackedThrough: 7, above: [] }, 7, []],
    [
      'stored seqs contiguous above a lagging persisted mark',
      {
        ackedThrough: 7,
        above: [
          { seq: 8, floor: 1 },
          { seq: 9, floor: 1 },
        ],
      },
      9,
      [],
    ],
    [
      'a hole above the mark survives the restart',
      {
        ackedThrough: 7,
        above: [
          { seq: 9, floor: 1 },
          { seq: 10, floor: 1 },
        ],
      },
      7,
      [9, 10],
    ],
    [
      'a stored floor closes the hole again',
      {
        ackedThrough: 7,
        above: [
          { seq: 10, floor: 9 },
          { seq: 9, floor: 1 },
        ],
      },
      10,
      [],
    ],
    ['new edge, first stored batch out of order', { ackedThrough: 0, above: [{ seq: 2, floor: 1 }] }, 0, [2]],
  ])('rebuilds from the store: %s', (_name, state, through, pending) => {
    const tracker = new AckTracker([{ edge: 'e1', outbox: 'o1', ...state }])
    expect(tracker.through('e1')).toBe(through)
    expect(tracker.pending('e1')).toEqual(pending)
  })

  it('continues correctly after a rebuild', () => {
    const tracker = new AckTracker([{ edge: 'e1', outbox: 'o1', ackedThrough: 7, above: [{ seq: 9, floor: 1 }] }])
    expect(tracker.record('e1', 8, 1, 'o1')).toBe(9)
    expect(tracker.record('e1', 10, 1, 'o1')).toBe(10)
  })

  it.each([
    [0, 1],
    [1, 0],
    [2, 3],
    [1.5, 1],
    [Number.NaN, 1],
  ])('refuses seq %s with floor %s (the codec never lets these through)', (seq, floor) => {
    expect(() => new AckTracker().record('e1', seq, floor)).toThrow(RangeError)
  })

  it('reports what is stored above the mark as ranges, the highest ones when there are many', () => {
    const tracker = new AckTracker()
    for (const seq of [5, 6, 7, 9, 12, 13]) tracker.record('e1', seq, 1)
    expect(tracker.storedRanges('e1')).toEqual([
      [5, 7],
      [9, 9],
      [12, 13],
    ])
    expect(tracker.storedRanges('e1', 2)).toEqual([
      [9, 9],
      [12, 13],
    ])
    for (const seq of [1, 2, 3, 4]) tracker.record('e1', seq, 1)
    expect(tracker.storedRanges('e1')).toEqual([
      [9, 9],
      [12, 13],
    ])
    expect(tracker.storedRanges('other')).toEqual([])
  })

  it('reach with a seq says what record will return, and changes nothing', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 1, max: 40 }), fc.integer({ min: 0, max: 10 })), { maxLength: 60 }),
        (arrivals) => {
          const tracker = new AckTracker()
          for (const [seq, back] of arrivals) {
            const floor = Math.max(1, seq - back)
            const before = tracker.pending('e1').slice()
            const peeked = tracker.reach('e1', floor, seq)
            expect(tracker.pending('e1')).toEqual(before)
            expect(tracker.record('e1', seq, floor)).toBe(peeked)
          }
        },
      ),
    )
  })
})
