import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { decodeAck, encode } from '../../shared/wire/codec.ts'
import type { DataBatch, EdgeAlarm } from '../../shared/wire/messages.ts'
import {
  LEVEL,
  T0,
  batch,
  captureLogger,
  good,
  manualClock,
  ownershipParts,
  tempStore,
} from '../../test/cloud/helpers.ts'
import { freePort } from '../../test/util/ports.ts'
import { createAlarmFeed } from '../alarms/feed.ts'
import { createMetrics } from '../metrics.ts'
import { NotificationsConfig } from '../notify/config.ts'
import { startDispatcher, type Dispatcher } from '../notify/dispatcher.ts'
import { pushPlanner } from '../notify/plan.ts'
import type { AlarmChange } from '../store/store.ts'
import { AckTracker } from './ack-tracker.ts'
import type { IngestContext } from './context.ts'
import { handleData } from './handle-data.ts'

/**
 * An edge back from an outage sends live data first and its backlog behind it (edge/uplink/
 * forward.ts). The cloud judges live data at once (and notifies), and still finds the outage's
 * alarms in the backlog with their original times, recorded without notifications
 * (cloud/store/sqlite/replay.ts). One episode per condition, never two.
 */
const DATA = 'parklink/v1/huaian/shilian-01/data'
const T1 = T0 + 3_600_000 // the link is back an hour later
const clock = manualClock(T1)
let env: Awaited<ReturnType<typeof tempStore>>
let ctx: IngestContext
let changes: AlarmChange[]
let acks: Array<{ through: number; stored?: Array<[number, number]> }>
let dispatcher: Dispatcher
let logs: ReturnType<typeof captureLogger>

const backlog = (seq: number, ts: number, value: number, alarms?: EdgeAlarm[]): DataBatch => ({
  ...batch(seq, [good(LEVEL, ts, value)]),
  historical: true,
  ...(alarms ? { alarms } : {}),
})
const live = (seq: number, ts: number, value: number): DataBatch => batch(seq, [good(LEVEL, ts, value)])
const send = (b: DataBatch) => handleData(ctx, { topic: DATA, payload: encode(b), retained: false })
const list = async () =>
  (await env.store.listAlarms({ scope: 'all', state: 'all', limit: 50 })).map((a) => ({
    id: a.id,
    kind: a.kind,
    raisedAt: a.raisedAt - T0,
    recoveredAt: a.recoveredAt === null ? null : a.recoveredAt - T0,
    state: a.state,
  }))
const notified = async (id: number) => (await env.store.alarmDeliveries(id, 'all')).length > 0

beforeEach(async () => {
  const feed = createAlarmFeed()
  changes = []
  acks = []
  logs = captureLogger()
  const config = NotificationsConfig.parse({
    webhook: { url: `http://127.0.0.1:${await freePort()}/hook` }, // nobody listens: pushes stay pending
    recipients: [
      {
        id: 'sl-officer',
        name: '实联安全员',
        category: 'safety-officer',
        enterprise: 'shilian',
        channels: ['webhook'],
      },
    ],
    schedules: { 'safety-officer': { priorities: ['S', 'A', 'B', 'C'], pushOn: 'raise' } }, // told at the raise, as these tests are about raises
  })
  env = await tempStore(undefined, (c) => (changes.push(c), feed.publish(c)), pushPlanner(config))
  const metrics = createMetrics(T1)
  ctx = {
    store: env.store,
    tracker: new AckTracker(),
    clock,
    metrics,
    log: logs.log,
    ...ownershipParts({ store: env.store, clock, log: logs.log, metrics }),
    publish(_topic, payload) {
      const ack = decodeAck(payload)
      if (!ack.ok) throw new Error(ack.error)
      acks.push({ through: ack.value.through, ...(ack.value.stored ? { stored: ack.value.stored } : {}) })
    },
  }
  dispatcher = startDispatcher({ config, store: env.store, clock, log: logs.log, intervalMs: 3_600_000 })
})
afterEach(async () => {
  dispatcher.stop()
  await env.dispose()
})

describe('replay: live first, the backlog behind it', () => {
  it('a live crossing is raised and notified at once; the outage’s own episodes keep their times and are not notified', async () => {
    await send(live(1, T0, 7))
    // Back after an hour: the live batch overtakes the backlog (2..6).
    const now = await send(live(7, T1, 10.8))
    expect(now).toMatchObject({ kind: 'stored', through: 1 })
    expect(acks.at(-1)).toEqual({ through: 1, stored: [[7, 7]] }) // a selective ack frees the edge's window
    expect((await list()).map((a) => [a.kind, a.raisedAt]).sort()).toEqual([
      ['H', 3_600_000],
      ['HH', 3_600_000],
    ])
    expect(changes.filter((c) => c.action === 'raise').every((c) => !c.historical)).toBe(true)

    // The backlog: H from +2 s to +3 s (the edge raised and recovered it too), then H and HH from +4 s on.
    await send(backlog(2, T0 + 1_000, 7))
    await send(
      backlog(3, T0 + 2_000, 10, [{ type: 'raise', point: LEVEL, kind: 'H', ts: T0 + 2_000, value: 10, limit: 9.5 }]),
    )
    await send(backlog(4, T0 + 3_000, 7, [{ type: 'recover', point: LEVEL, kind: 'H', ts: T0 + 3_000, value: 7 }]))
    await send(backlog(5, T0 + 4_000, 10.6))
    await send(backlog(6, T0 + 5_000, 10.7))
    expect(acks.at(-1)).toEqual({ through: 7 })

    const alarms = await list()
    expect(alarms.map(({ kind, raisedAt, recoveredAt, state }) => ({ kind, raisedAt, recoveredAt, state }))).toEqual(
      expect.arrayContaining([
        { kind: 'H', raisedAt: 2_000, recoveredAt: 3_000, state: 'recovered' }, // the outage's own episode
        { kind: 'H', raisedAt: 4_000, recoveredAt: null, state: 'active' }, // began during the outage, still on
        { kind: 'HH', raisedAt: 4_000, recoveredAt: null, state: 'active' },
      ]),
    )
    expect(alarms).toHaveLength(3)
    await dispatcher.runOnce()
    const episode = alarms.find((a) => a.state === 'recovered')!
    expect(await notified(episode.id)).toBe(false)
    for (const a of alarms.filter((x) => x.state === 'active')) expect(await notified(a.id)).toBe(true)
    // The edge's own raise and recovery matched the episode the backlog produced.
    const timeline = (await env.store.alarmTimeline(episode.id, 'all'))!.map((e) => e.action)
    expect(timeline).toEqual(expect.arrayContaining(['raise', 'edge_raise', 'recover', 'edge_recover']))
    expect(ctx.metrics.ingest.alarmsRaised).toBeGreaterThan(0)
    expect(logs.lines().map((l) => String(l.msg))).not.toContainEqual(
      expect.stringMatching(/did not: are its local limits/),
    )
    const hh = alarms.find((a) => a.kind === 'HH')!
    expect((await env.store.alarmTimeline(hh.id, 'all'))!.find((e) => e.detail?.historical)).toMatchObject({
      action: 'raise',
      at: T0 + 4_000,
      detail: { firstSeenLiveAt: T1 },
    })

    // The replay is over: live data recovers the live alarms as usual.
    await send(live(8, T1 + 1_000, 7))
    expect((await list()).filter((a) => a.state === 'active')).toEqual([])
  })

  it('an alarm active before the outage that ended during it recovers at that time, not when the link came back', async () => {
    await send(live(1, T0, 10.6))
    await send(live(4, T1, 7)) // live: normal, so the live state recovers both at T1
    expect((await list()).map((a) => a.recoveredAt)).toEqual([3_600_000, 3_600_000])
    await send(backlog(2, T0 + 1_000, 10.6))
    await send(backlog(3, T0 + 2_000, 7))
    const alarms = await list()
    expect(alarms.map((a) => [a.kind, a.raisedAt, a.recoveredAt]).sort()).toEqual([
      ['H', 0, 2_000],
      ['HH', 0, 2_000],
    ])
    expect((await env.store.alarmTimeline(alarms[0]!.id, 'all'))!.at(-1)).toMatchObject({
      action: 'recover',
      at: T0 + 2_000,
      detail: { historical: true, correctedFrom: T1 },
    })
  })

  it('a condition that came back during the outage and is still on is raised (and notified) when the backlog shows it', async () => {
    await send(live(1, T0, 10.6))
    await send(live(5, T1, 10.6)) // still high: the live state sees no change
    await send(backlog(2, T0 + 1_000, 7)) // ...but it went away
    await send(backlog(3, T0 + 2_000, 10.6)) // and came back
    await send(backlog(4, T0 + 3_000, 10.6))
    const alarms = await list()
    expect(alarms.map((a) => [a.kind, a.raisedAt, a.recoveredAt, a.state]).sort()).toEqual([
      ['H', 0, 1_000, 'recovered'],
      ['H', 2_000, null, 'active'],
      ['HH', 0, 1_000, 'recovered'],
      ['HH', 2_000, null, 'active'],
    ])
    await dispatcher.runOnce()
    for (const a of alarms.filter((x) => x.state === 'active')) expect(await notified(a.id)).toBe(true)
  })

  it('a crossing in the backlog that ended before live data resumed is an episode closed at the resume time', async () => {
    await send(live(1, T0, 7))
    await send(live(4, T1, 7))
    await send(backlog(2, T0 + 1_000, 7))
    await send(backlog(3, T0 + 2_000, 10)) // H, and the backlog ends with it on
    expect(await list()).toEqual([
      expect.objectContaining({ kind: 'H', raisedAt: 2_000, recoveredAt: 3_600_000, state: 'recovered' }),
    ])
    await dispatcher.runOnce()
    expect(await notified((await list())[0]!.id)).toBe(false)
  })
})
