import { describe, expect, it } from 'vitest'
import { defaultPriorityMatrix, priorityOf, PriorityMatrix } from './priority.ts'

describe('priorityOf (brief §5 matrix)', () => {
  it.each([
    ['HH', 'mhs', 'S'],
    ['H', 'mhs', 'A'],
    ['HH', 'process', 'S'],
    ['H', 'process', 'A'],
    ['HH', 'general', 'A'],
    ['H', 'general', 'B'],
    ['HH', 'gas', 'A'],
    ['H', 'gas', 'B'],
    ['LL', 'general', 'B'],
    ['L', 'general', 'C'],
    ['LL', 'mhs', 'B'],
    ['L', 'gas', 'C'],
    ['L', 'authorised', 'S'],
    ['H', 'authorised', 'S'],
  ] as const)('%s on a %s point is %s', (kind, cls, expected) => {
    expect(priorityOf(kind, cls)).toBe(expected)
  })

  it.each([
    ['STALE', 'mhs', 'C'],
    ['ROC', 'gas', 'B'],
    ['DIGITAL', 'process', 'S'],
    ['STALE', 'authorised', 'S'],
  ] as const)('%s on a %s point is %s', (kind, cls, expected) => {
    expect(priorityOf(kind, cls)).toBe(expected)
  })

  // The park's second scheme (001:L7766): A = high-high in "two key, one major" areas (MHS, key
  // processes); B = high-high elsewhere and every high; C = devices offline; D = everything else.
  const schemeAD = PriorityMatrix.parse({
    rows: {
      mhs: { HH: 'A', DIGITAL: 'A', H: 'B', STALE: 'C' },
      process: { HH: 'A', DIGITAL: 'A', H: 'B', STALE: 'C' },
      gas: { HH: 'B', H: 'B', STALE: 'C' },
      general: { HH: 'B', H: 'B', STALE: 'C' },
    },
    default: 'D',
  })
  it.each([
    ['HH', 'mhs', 'A'],
    ['H', 'mhs', 'B'],
    ['HH', 'gas', 'B'],
    ['H', 'general', 'B'],
    ['STALE', 'process', 'C'],
    ['L', 'mhs', 'D'],
    ['ROC', 'general', 'D'],
    ['HH', 'authorised', 'D'],
  ] as const)('the A–D scheme, from configuration alone: %s on a %s point is %s', (kind, cls, expected) => {
    expect(priorityOf(kind, cls, schemeAD)).toBe(expected)
  })

  it('rejects an unknown class, kind or priority', () => {
    expect(PriorityMatrix.safeParse({ rows: { tanks: { HH: 'A' } }, default: 'D' }).success).toBe(false)
    expect(PriorityMatrix.safeParse({ rows: { mhs: { HIGH: 'A' } }, default: 'D' }).success).toBe(false)
    expect(PriorityMatrix.safeParse({ rows: { mhs: { HH: 'E' } }, default: 'D' }).success).toBe(false)
  })

  it('keeps the default matrix immutable, rows included', () => {
    expect(Object.isFrozen(defaultPriorityMatrix.rows.mhs)).toBe(true)
  })
})
