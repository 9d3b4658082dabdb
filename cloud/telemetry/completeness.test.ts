import { describe, expect, it } from 'vitest'
import { completeness, intervalsIn } from './completeness.ts'

const MIN = 60_000
const range = { from: 0, to: 60 * MIN, step: 5 * MIN } // 12 intervals of 5 min

describe('data completeness', () => {
  it.each([
    [0, 60 * MIN, 5 * MIN, 12],
    [0, 61 * MIN, 5 * MIN, 13], // a shorter last interval still counts
    [0, 1, 5 * MIN, 1],
  ])('intervalsIn(%i, %i, %i) = %i', (from, to, step, n) => {
    expect(intervalsIn(from, to, step)).toBe(n)
  })

  it('per point, per enterprise (mean of its points; connected when any point was heard in the last interval) and for the park', () => {
    const r = completeness(
      [
        { point: 'a.1', enterprise: 'a', received: 12, recent: true },
        { point: 'a.2', enterprise: 'a', received: 6, recent: false },
        { point: 'b.1', enterprise: 'b', received: 9, recent: false },
        { point: 'x', enterprise: null, received: 3, recent: true },
      ],
      range,
    )
    expect(r.expected).toBe(12)
    expect(r.points.map((p) => [p.id, p.completeness])).toEqual([
      ['a.1', 1],
      ['a.2', 0.5],
      ['b.1', 0.75],
      ['x', 0.25],
    ])
    expect(r.enterprises).toEqual([
      { id: 'a', points: 2, completeness: 0.75, connected: true },
      { id: 'b', points: 1, completeness: 0.75, connected: false },
    ])
    expect(r.park).toEqual({ points: 4, completeness: 0.625, enterprises: 2, connected: 1, connectedShare: 0.5 })
  })

  it('nothing registered is no figure, not NaN', () => {
    expect(completeness([], range).park).toEqual({
      points: 0,
      completeness: null,
      enterprises: 0,
      connected: 0,
      connectedShare: null,
    })
  })
})
