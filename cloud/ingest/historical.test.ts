import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { LEVEL, OUTBOX, T0, batch, captureLogger, good, manualClock, tempStore } from '../../test/cloud/helpers.ts'
import { freePort } from '../../test/util/ports.ts'
import { createAlarmFeed, type AlarmFeed } from '../alarms/feed.ts'
import { NotificationsConfig } from '../notify/config.ts'
import { startDispatcher, type Dispatcher } from '../notify/dispatcher.ts'
import type { AlarmChange } from '../store/store.ts'

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
  env = await tempStore(undefined, (c) => (changes.push(c), feed.publish(c)))
  const config = NotificationsConfig.parse({
    webhook: { url: `http://127.0.0.1:${await freePort()}/hook` }, // nobody listens: pushes stay pending
    recipients: [{ id: 'sl-officer', name: '实联安全员', category: 'safety-officer', enterprise: 'shilian', channels: ['webhook'] }],
  })
  dispatcher = startDispatcher({ config, store: env.store, feed, clock: manualClock(meta.receivedAt), log: captureLogger().log, intervalMs: 3_600_000 })
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
    expect(old.map((a) => [a.kind, a.raisedAt])).toEqual(expect.arrayContaining([['HH', T0], ['H', T0]]))
    expect(changes.filter((c) => c.action === 'raise').every((c) => c.historical === true)).toBe(true)
    for (const a of old) expect(await env.store.alarmDeliveries(a.id, 'all')).toEqual([])
    expect((await env.store.alarmTimeline(old[0]!.id, 'all'))?.[0]).toMatchObject({ action: 'raise', detail: { historical: true } })

    // Back to normal, then a live crossing: notified as usual.
    await env.store.ingestBatch({ ...batch(2, [good(LEVEL, T0 + 1_000, 7)]), historical: true }, meta)
    await env.store.ingestBatch(batch(3, [good(LEVEL, meta.receivedAt, 10.6)]), meta)
    await dispatcher.runOnce()
    const live = (await env.store.listAlarms({ state: 'active', limit: 10, scope: 'all' })).filter((a) => a.raisedAt === meta.receivedAt)
    expect(live).toHaveLength(2)
    for (const a of live) expect((await env.store.alarmDeliveries(a.id, 'all')).length).toBeGreaterThan(0)
  })

  it('a historical batch that arrived ahead of a gap keeps its mark until it is evaluated', async () => {
    await env.store.ingestBatch(batch(1, [good(LEVEL, T0, 7)]), meta)
    await env.store.ingestBatch({ ...batch(3, [good(LEVEL, T0 + 2_000, 10.6)]), historical: true }, { ...meta, inOrder: false })
    await env.store.ingestBatch({ ...batch(2, [good(LEVEL, T0 + 1_000, 7)]), historical: true }, meta)
    await env.store.evaluateThrough('shilian-01', 3, meta.receivedAt, OUTBOX)
    await dispatcher.runOnce()
    const alarms = await env.store.listAlarms({ state: 'all', limit: 10, scope: 'all' })
    expect(alarms.map((a) => a.raisedAt)).toEqual([T0 + 2_000, T0 + 2_000])
    for (const a of alarms) expect(await env.store.alarmDeliveries(a.id, 'all')).toEqual([])
  })
})
