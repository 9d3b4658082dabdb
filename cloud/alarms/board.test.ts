import { describe, expect, it } from 'vitest'
import type { AlarmRecord } from './model.ts'
import { boardZones, shiftStartAt } from './board.ts'
import { noFacts } from './workflow.ts'

const at = (iso: string) => Date.parse(iso)

describe('shift handover', () => {
  it.each([
    ['2026-11-22T10:30:00+08:00', '2026-11-22T08:00:00+08:00'],
    ['2026-11-22T20:00:00+08:00', '2026-11-22T20:00:00+08:00'],
    ['2026-11-23T03:00:00+08:00', '2026-11-22T20:00:00+08:00'],
    ['2026-11-23T07:59:59+08:00', '2026-11-22T20:00:00+08:00'],
  ])('at %s the shift began at %s', (now, start) => {
    expect(shiftStartAt(at(now), ['08:00', '20:00'], '+08:00')).toBe(at(start))
  })
})

describe('board zones', () => {
  const base = (id: number, raised: string, extra: Partial<AlarmRecord> = {}): AlarmRecord => ({
    id,
    point: 'p',
    pointName: null,
    enterprise: null,
    kind: 'H',
    priority: 'A',
    raisedAt: at(raised),
    value: 1,
    limit: 1,
    recoveredAt: null,
    recoveredValue: null,
    state: 'active',
    closedAt: null,
    disposal: noFacts(),
    ...extra,
  })
  it('puts each open alarm in exactly one zone', () => {
    const shift = at('2026-11-22T08:00:00+08:00')
    const z = boardZones(
      [
        base(1, '2026-11-22T09:00:00+08:00'),
        base(2, '2026-11-22T09:05:00+08:00', {
          disposal: { ...noFacts(), triage: { verdict: 'valid', by: 'a', at: 0, note: '' } },
        }),
        base(3, '2026-11-22T09:10:00+08:00', { state: 'recovered', recoveredAt: at('2026-11-22T09:12:00+08:00') }),
        base(4, '2026-11-22T07:50:00+08:00'),
        base(5, '2026-11-22T09:20:00+08:00', { closedAt: at('2026-11-22T09:30:00+08:00') }),
      ],
      shift,
    )
    expect(
      [z.onScreen, z.observation, z.recoveredNotClosed, z.carriedOver].map((list) => list.map((a) => a.id)),
    ).toEqual([[1], [2], [3], [4]])
  })
})
