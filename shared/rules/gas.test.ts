import { describe, expect, it } from 'vitest'
import { gasLimits } from './gas.ts'

describe('gas defaults (GB/T 50493-2019)', () => {
  it.each([
    ['combustible in %LEL', { unit: '%LEL' }, { h: 25, hh: 50, deadband: 1 }],
    ['unit spelled loosely', { unit: ' %lel ' }, { h: 25, hh: 50, deadband: 1 }],
    ['toxic in %OEL', { unit: '%OEL' }, { h: 100, hh: 200, deadband: 4 }],
    ['toxic in ppm with its OEL (NH3 20 ppm)', { unit: 'ppm', oel: 20 }, { h: 20, hh: 40, deadband: 0.8 }],
    ['a given deadband is kept', { unit: '%LEL', limits: { deadband: 2 } }, { h: 25, hh: 50, deadband: 2 }],
  ])('%s', (_title, point, expected) => {
    expect(gasLimits(point)).toEqual(expected)
  })

  it("the point's own levels win over the defaults", () => {
    const own = { h: 10, hh: 20, deadband: 0.5 }
    expect(gasLimits({ unit: '%LEL', limits: own })).toBe(own)
  })

  it('ppm without an OEL cannot be defaulted', () => {
    expect(gasLimits({ unit: 'ppm' })).toBeNull()
    expect(gasLimits({ unit: 'ppm', limits: { deadband: 1 } })).toBeNull()
  })
})
