import { describe, expect, it } from 'vitest'
import { differential, heightOf, roundTo, settlement } from './settlement.ts'

// Heights from float-gauge readings (liquid level in the gauge's chamber, mm).
const h = (point: number, base: number) => ({
  point: heightOf(point, 'liquid-level'),
  base: heightOf(base, 'liquid-level'),
})
const t0 = h(50.0, 48.7)

describe('settlement S_i(t) = [h_i(t) − h_i(t0)] − [h_B(t) − h_B(t0)] (brief §6)', () => {
  it.each([
    ['nothing moved', h(50.0, 48.7), 0],
    ['the whole liquid line rose 3.17 mm (temperature): cancels out', h(53.17, 51.87), 0],
    ['the base drifted down 1.25 mm with the line: cancels out', h(48.75, 47.45), 0],
    ['the measuring point sank 2.00 mm (it reads 2.00 mm more liquid)', h(52.0, 48.7), -2],
    ['it sank 2.00 mm while the line drifted 0.73 mm', h(52.73, 49.43), -2],
    ['it rose (heave) 0.41 mm', h(49.59, 48.7), 0.41],
    ['a sub-resolution wobble is rounded away', h(50.004, 48.7), 0],
  ])('%s → %s mm', (_name, now, expected) => {
    expect(settlement(now, t0)).toBe(expected)
  })

  it('rounds to the gauge resolution, with no binary residue and no -0', () => {
    expect(50.13 - 50.0 - 2.13).not.toBe(0)
    expect(settlement(h(52.13, 48.83), h(50.0, 48.7))).toBe(-2)
    // A gauge that reports heights needs no negation.
    expect(settlement({ point: 998.0, base: 1000.0 }, { point: 1000.0, base: 1000.0 })).toBe(-2)
    expect(roundTo(-0.004, 0.01)).toBe(0)
    expect(Object.is(roundTo(-0.004, 0.01), -0)).toBe(false)
    expect(roundTo(1.23456, 0.1)).toBe(1.2)
  })

  it('differential settlement between neighbours', () => {
    expect(differential(-2.0, -0.35)).toBe(-1.65)
    expect(differential(-0.1, -0.1)).toBe(0)
  })
})
