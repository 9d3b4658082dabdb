import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { LEVEL, NH3, T0, batch, good, tempStore } from '../../../test/cloud/helpers.ts'
import { computeKpis } from '../../alarms/kpi.ts'
import type { Store } from '../store.ts'

/** A chattering alarm at the cloud is one latched episode with a count (ISA-18.2 §16.6, issue 14). */
let ctx: Awaited<ReturnType<typeof tempStore>>
let store: Store
let seq = 0
const ingest = (ts: number, value: number, point = LEVEL) =>
  store.ingestBatch(batch(++seq, [good(point, T0 + ts, value)]), { site: 'huaian', receivedAt: T0 + ts })

beforeEach(async () => {
  ctx = await tempStore()
  store = ctx.store
  seq = 0
})
afterEach(async () => ctx.dispose())

const hAlarms = async () =>
  (await store.listAlarms({ scope: 'all', state: 'all', kind: 'H', limit: 100 })).sort(
    (a, b) => a.raisedAt - b.raisedAt,
  )

/** TK-101's level across H (9.5) every 5 s for two minutes: a raise every 10 s. */
async function chatter(): Promise<void> {
  for (let i = 0; i < 25; i++) await ingest(i * 5_000, i % 2 === 0 ? 10 : 8)
}

describe('sqlite store: chattering alarms are latched', () => {
  it('gives one latched episode with the repetitions counted, held until the value stays clear for clearHoldS', async () => {
    await chatter()
    let h = await hAlarms()
    // Two ordinary episodes; the third raise within 60 s latches, the next ten are counted on it.
    expect(h.map((a) => [a.raisedAt - T0, a.state, a.repeats])).toEqual([
      [0, 'recovered', 0],
      [10_000, 'recovered', 0],
      [20_000, 'active', 10],
    ])
    // Clear since 125 s: still held (one card, active) until 185 s.
    for (let t = 125_000; t <= 180_000; t += 5_000) await ingest(t, 8)
    expect((await hAlarms()).at(-1)).toMatchObject({ state: 'active', repeats: 10 })
    await ingest(185_000, 8)
    h = await hAlarms()
    expect(h).toHaveLength(3)
    expect(h.at(-1)).toMatchObject({ state: 'recovered', recoveredAt: T0 + 185_000, recoveredValue: 8, repeats: 10 })
    const timeline = (await store.alarmTimeline(h.at(-1)!.id, 'all'))!
    // The timeline stays bounded: repetitions 1–5 and 10 get a step, the count is on the alarm.
    expect(timeline.map((e) => e.action)).toEqual([
      'raise',
      'chattering',
      'repeat',
      'repeat',
      'repeat',
      'repeat',
      'repeat',
      'repeat',
      'recover',
    ])
    expect(timeline.filter((e) => e.action === 'repeat').map((e) => (e.detail as { repeats: number }).repeats)).toEqual(
      [1, 2, 3, 4, 5, 10],
    )
    expect(timeline.at(-1)!.detail).toMatchObject({ repeats: 10 })
    // The KPI counts the suppressed repetitions.
    const kpi = computeKpis(
      await store.listAlarms({ scope: 'all', state: 'all', limit: 100 }),
      { from: T0, to: T0 + 600_000 },
      T0 + 600_000,
    )
    expect(kpi.suppressedRepeats).toBe(10)
  })

  it('a point that does not chatter raises and recovers as before', async () => {
    await ingest(0, 10, NH3)
    await ingest(5_000, 30, NH3)
    await ingest(10_000, 5, NH3)
    await ingest(100_000, 30, NH3)
    await ingest(105_000, 5, NH3)
    const list = await store.listAlarms({ scope: 'all', state: 'all', limit: 10 })
    expect(list.map((a) => [a.raisedAt - T0, a.recoveredAt! - T0, a.repeats])).toEqual([
      [100_000, 105_000, 0],
      [5_000, 10_000, 0],
    ])
  })
})
