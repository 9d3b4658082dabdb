import { describe, expect, it } from 'vitest'
import { defaultPriorityMatrix, priorityOf, PriorityMatrix } from './priority.ts'

describe('priorityOf (brief §5 matrix)', () => {
  it.each([
    ['HH', 'mhs', 'S'], ['H', 'mhs', 'A'],
    ['HH', 'process', 'S'], ['H', 'process', 'A'],
    ['HH', 'general', 'A'], ['H', 'general', 'B'],
    ['HH', 'gas', 'A'], ['H', 'gas', 'B'],
    ['LL', 'general', 'B'], ['L', 'general', 'C'], ['LL', 'mhs', 'B'], ['L', 'gas', 'C'],
    ['L', 'authorised', 'S'], ['H', 'authorised', 'S'],
  ] as const)('%s on a %s point is %s', (kind, cls, expected) => {
    expect(priorityOf(kind, cls)).toBe(expected)
  })

  it('takes another scheme from configuration alone', () => {
    const matrix = PriorityMatrix.parse({ ...defaultPriorityMatrix, general: { HH: 'B', H: 'C', L: 'D', LL: 'C' } })
    expect(priorityOf('HH', 'general', matrix)).toBe('B')
    expect(priorityOf('HH', 'mhs', matrix)).toBe('S')
  })

  it('keeps the default matrix immutable', () => {
    expect(Object.isFrozen(defaultPriorityMatrix)).toBe(true)
  })
})
