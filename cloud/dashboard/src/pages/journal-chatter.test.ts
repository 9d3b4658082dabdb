import { describe, expect, it } from 'vitest'
import type { AlarmView } from '../types.ts'
import { chatterRows } from './journal-chatter.ts'

const alarm = (id: number, point: string, raisedAt: number, repeats = 0): AlarmView =>
  ({ id, point, kind: 'H', raisedAt, repeats }) as AlarmView

describe('chattering groups in the journal (ISA-18.2: 3 raises, ≤ 60 s apart)', () => {
  it('groups 3 raises of a point 60 s apart, at the place of the newest; leaves 2, a gap and other points alone', () => {
    const list = [
      alarm(6, 'p1', 400_000), // after a 220 s gap: its own
      alarm(5, 'p1', 180_000),
      alarm(4, 'p2', 170_000),
      alarm(3, 'p1', 120_000),
      alarm(2, 'p1', 60_000),
      alarm(1, 'p2', 100_000), // p2: two raises only
    ]
    const rows = chatterRows(list)
    expect(rows.map((r) => (r.type === 'one' ? r.alarm.id : r.alarms.map((a) => a.id)))).toEqual([6, [5, 3, 2], 4, 1])
    expect(rows[1]).toMatchObject({ type: 'chatter', count: 3 })
  })

  it('counts the raises a latched record held: one record with 2 repeats is chattering', () => {
    const rows = chatterRows([alarm(1, 'p1', 0, 2), alarm(2, 'p2', 0, 1)])
    expect(rows[0]).toMatchObject({ type: 'chatter', count: 3 })
    expect(rows[1]).toMatchObject({ type: 'one' })
  })
})
