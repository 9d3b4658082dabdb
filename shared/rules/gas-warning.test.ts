import { describe, expect, it } from 'vitest'
import { WARNING_RECIPIENTS, clearRefusal, gasWarning, noticeDueAt, type GasAlarmFact } from './gas-warning.ts'

const T0 = Date.parse('2026-03-02T02:00:00Z')
const MIN = 60_000
const h = (
  detector: string,
  raisedAt: number,
  clearedAt: number | null = null,
  level: 'H' | 'HH' = 'H',
): GasAlarmFact => ({ detector, level, raisedAt, clearedAt })

describe('gas-leak warnings (001:L1933–1985)', () => {
  it('escalates yellow → orange → red as the leak spreads to neighbouring detectors of the area', () => {
    const alarms = [h('gt-1', T0), h('gt-2', T0 + MIN), h('gt-3', T0 + 2 * MIN), h('gt-4', T0 + 3 * MIN)]
    const at = (t: number) => gasWarning(alarms, t)
    expect(at(T0 + 30_000)).toEqual({ colour: 'blue', reasons: ['gas alarm'], active: ['gt-1'] })
    expect(at(T0 + MIN + 1)).toMatchObject({ colour: 'yellow', reasons: ['spread 2'], active: ['gt-1', 'gt-2'] })
    expect(at(T0 + 2 * MIN + 1)).toMatchObject({ colour: 'orange', reasons: ['spread 3'] })
    expect(at(T0 + 3 * MIN + 1)).toMatchObject({
      colour: 'red',
      reasons: ['spread 4'],
      active: ['gt-1', 'gt-2', 'gt-3', 'gt-4'],
    })
    expect(gasWarning(alarms, T0 - 1)).toBeNull()
  })

  it('a level-2 alarm weighs as two detectors', () => {
    expect(gasWarning([h('gt-1', T0, null, 'HH'), h('gt-2', T0)], T0 + 1)?.colour).toBe('orange')
  })

  it('repeat counts, duration and time to clear raise the colour on their own', () => {
    const repeats = Array.from({ length: 5 }, (_, i) => h('gt-1', T0 + i * 60 * MIN, T0 + i * 60 * MIN + MIN))
    expect(gasWarning(repeats, T0 + 5 * 60 * MIN)).toMatchObject({
      colour: 'orange',
      reasons: ['repeats 5'],
      active: [],
    })
    expect(gasWarning([h('gt-1', T0)], T0 + 35 * MIN)).toMatchObject({ colour: 'orange', reasons: ['durationMin 35'] })
    expect(gasWarning([h('gt-1', T0)], T0 + 3 * 60 * MIN)?.colour).toBe('red')
    expect(gasWarning([h('gt-1', T0, T0 + 20 * MIN)], T0 + 21 * MIN)).toMatchObject({
      colour: 'yellow',
      reasons: ['durationMin 20', 'meanClearMin 20'],
    })
    // Out of the window (a day), cleared alarms no longer count.
    expect(gasWarning(repeats, T0 + 30 * 60 * MIN)).toBeNull()
  })

  it('orange and red cannot be cleared without an investigation report; unhandled, they bring a notice', () => {
    expect(clearRefusal('red', null)).toMatch(/investigation report/)
    expect(clearRefusal('orange', { text: '  ', attachments: [], by: 'op', at: T0 })).toMatch(/investigation report/)
    expect(
      clearRefusal('orange', { text: '阀门密封失效，已更换', attachments: ['photo.jpg'], by: 'op', at: T0 }),
    ).toBeNull()
    expect(clearRefusal('yellow', null)).toBeNull()
    expect(noticeDueAt('orange', T0)).toBe(T0 + 24 * 60 * MIN)
    expect(noticeDueAt('red', T0)).toBe(T0 + 12 * 60 * MIN)
    expect(noticeDueAt('yellow', T0)).toBeNull()
    expect(WARNING_RECIPIENTS.red.enterprise).toContain('park.principal')
  })
})
