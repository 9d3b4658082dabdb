import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import {
  LEVEL,
  OUTBOX,
  T0,
  batch,
  captureLogger,
  good,
  manualClock,
  ownershipParts,
  tempStore,
} from '../../test/cloud/helpers.ts'
import { freePort } from '../../test/util/ports.ts'
import { createAlarmFeed, type AlarmFeed } from '../alarms/feed.ts'
import { NotificationsConfig } from '../notify/config.ts'
import { startDispatcher, type Dispatcher } from '../notify/dispatcher.ts'
import { pushPlanner } from '../notify/plan.ts'
import type { AlarmChange } from '../store/store.ts'
import { encode } from '../../shared/wire/codec.ts'
import { createMetrics } from '../metrics.ts'
import { AckTracker } from './ack-tracker.ts'
import { handleData } from './handle-data.ts'

/**
 * Replayed backlog (a batch marked `historical`): the crossing is recorded as an alarm with its
 * original time, but it is old news: no notification is pushed for it. Live crossings still are.
 */
const meta = { site: 'huaian', receivedAt: T0 + 3_600_000 }
let env: Awaited<ReturnType<typeof tempStore>>
let feed: AlarmFeed
let changes: AlarmChange[]
let dispatcher: Dispatcher

beforeEach(async () => {
  feed = createAlarmFeed()
  changes = []
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
  dispatcher = startDispatcher({
    config,
    store: env.store,
    clock: manualClock(meta.receivedAt),
    log: captureLogger().log,
    intervalMs: 3_600_000,
  })
})
afterEach(async () => {
  dispatcher.stop()
  await env.dispose()
})

describe('historical batches', () => {
  it('record their alarms with the original time and push nothing; a live crossing is pushed', async () => {
    await env.store.ingestBatch({ ...batch(1, [good(LEVEL, T0, 10.6)]), historical: true }, meta)
    await dispatcher.runOnce()
    const old = await env.store.listAlarms({ state: 'all', limit: 10, scope: 'all' })
    expect(old.map((a) => [a.kind, a.raisedAt])).toEqual(
      expect.arrayContaining([
        ['HH', T0],
        ['H', T0],
      ]),
    )
    expect(changes.filter((c) => c.action === 'raise').every((c) => c.historical === true)).toBe(true)
    for (const a of old) expect(await env.store.alarmDeliveries(a.id, 'all')).toEqual([])
    expect((await env.store.alarmTimeline(old[0]!.id, 'all'))?.[0]).toMatchObject({
      action: 'raise',
      detail: { historical: true },
    })

    // Back to normal, then a live crossing: notified as usual.
    await env.store.ingestBatch({ ...batch(2, [good(LEVEL, T0 + 1_000, 7)]), historical: true }, meta)
    await env.store.ingestBatch(batch(3, [good(LEVEL, meta.receivedAt, 10.6)]), meta)
    await dispatcher.runOnce()
    const live = (await env.store.listAlarms({ state: 'active', limit: 10, scope: 'all' })).filter(
      (a) => a.raisedAt === meta.receivedAt,
    )
    expect(live).toHaveLength(2)
    for (const a of live) expect((await env.store.alarmDeliveries(a.id, 'all')).length).toBeGreaterThan(0)
  })

  it('a historical batch that arrived ahead of a gap keeps its mark until it is evaluated', async () => {
    await env.store.ingestBatch(batch(1, [good(LEVEL, T0, 7)]), meta)
    await env.store.ingestBatch(
      { ...batch(3, [good(LEVEL, T0 + 2_000, 10.6)]), historical: true },
      { ...meta, inOrder: false },
    )
    await env.store.ingestBatch({ ...batch(2, [good(LEVEL, T0 + 1_000, 7)]), historical: true }, meta)
    await env.store.evaluateThrough('shilian-01', 3, meta.receivedAt, OUTBOX)
    await dispatcher.runOnce()
    const alarms = await env.store.listAlarms({ state: 'all', limit: 10, scope: 'all' })
    expect(alarms.map((a) => a.raisedAt)).toEqual([T0 + 2_000, T0 + 2_000])
    for (const a of alarms) expect(await env.store.alarmDeliveries(a.id, 'all')).toEqual([])
  })

  it("a backlog the edge marks historical after a forward step of its clock, but recent by the cloud's clock, is notified", async () => {
    // The edge's clock jumped 2 h ahead: its outbox batch, written 20 s ago, looks 2 h old to it.
    const clock = manualClock(meta.receivedAt)
    const metrics = createMetrics(clock.now())
    const log = captureLogger().log
    const ctx = {
      store: env.store,
      tracker: new AckTracker(),
      clock,
      metrics,
      log,
      publish: () => {},
      ...ownershipParts({ store: env.store, clock, log, metrics }),
    }
    const data = (b: unknown) => ({
      topic: 'parklink/v1/huaian/shilian-01/data',
      payload: encode(b as never),
      retained: false,
    })
    await handleData(ctx, data({ ...batch(1, [good(LEVEL, meta.receivedAt - 20_000, 10.6)]), historical: true }))
    await dispatcher.runOnce()
    const raised = await env.store.listAlarms({ state: 'all', limit: 10, scope: 'all' })
    expect(raised.map((a) => a.kind).sort()).toEqual(['H', 'HH'])
    expect(changes.filter((c) => c.action === 'raise').every((c) => c.historical === undefined)).toBe(true)
    for (const a of raised) expect((await env.store.alarmDeliveries(a.id, 'all')).length).toBeGreaterThan(0)
    expect(metrics.time.historicalNotified).toBe(1)

    // A real backlog (old by the cloud's clock too) stays history.
    await handleData(ctx, data({ ...batch(2, [good(LEVEL, meta.receivedAt - 15_000, 7)]), historical: false }))
    clock.advance(3_600_000)
    await handleData(ctx, data({ ...batch(3, [good(LEVEL, meta.receivedAt - 10_000, 10.6)]), historical: true }))
    expect(changes.slice(-2)).toEqual([
      expect.objectContaining({ action: 'raise', historical: true }),
      expect.objectContaining({ action: 'raise', historical: true }),
    ])
    expect(metrics.time.historicalNotified).toBe(1)
  })
})
