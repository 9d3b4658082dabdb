import { describe, expect, it } from 'vitest'
import { adoptSourceLimits, limitsMatchSource } from './source-limits.ts'

describe('source limits', () => {
  it.each([
    [
      'all four',
      { hh: 11, h: 10, l: 2, ll: 1 },
      0.1,
      { ok: true, limits: { hh: 11, h: 10, l: 2, ll: 1, deadband: 0.1 } },
    ],
    ['only highs', { hh: 50, h: 25 }, 0, { ok: true, limits: { hh: 50, h: 25, deadband: 0 } }],
    ['none announced', null, 0.5, { ok: true, limits: { deadband: 0.5 } }],
    ['hh below h', { hh: 9, h: 10 }, 0, { ok: false, problem: expect.stringMatching(/^hh: hh must be ≥ h/) }],
    ['l above h', { h: 5, l: 6 }, 0, { ok: false, problem: expect.stringMatching(/h must be > l/) }],
  ])('%s', (_name, source, deadband, expected) => {
    expect(adoptSourceLimits(source, deadband)).toEqual(expected)
  })

  it.each([
    [{ hh: 11, h: 10, deadband: 0.1 }, { hh: 11, h: 10 }, true],
    [{ hh: 11, h: 10, deadband: 0.1 }, { hh: 11, h: 10, l: 2 }, false],
    [{ hh: 12, h: 10, deadband: 0 }, { hh: 11, h: 10 }, false],
    [null, { hh: 11 }, false],
    [{ hh: 11, deadband: 0 }, {}, null],
    [{ hh: 11, deadband: 0 }, null, null],
  ])('limits %j vs source %j → %s', (limits, source, expected) => {
    expect(limitsMatchSource(limits, source)).toBe(expected)
  })
})
