import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { Hono } from 'hono'
import {
  LEVEL,
  NH3,
  T0,
  batch,
  captureLogger,
  good,
  manualClock,
  tempStore,
  testAuth,
  testKey,
} from '../../test/cloud/helpers.ts'
import { createAlarmFeed, type AlarmFeed } from '../alarms/feed.ts'
import { createMetrics } from '../metrics.ts'
import { createApp } from './app.ts'

/** Issue 14, alarm changes are durable: the stream's event ids are timeline ids, and Last-Event-ID resumes from the timeline. */
const clock = manualClock()
const meta = { site: 'huaian', receivedAt: T0 }
let env: Awaited<ReturnType<typeof tempStore>>
let feed: AlarmFeed
let app: Hono
let metrics: ReturnType<typeof createMetrics>
let t: ReturnType<typeof testAuth>

beforeEach(async () => {
  feed = createAlarmFeed()
  env = await tempStore(undefined, (c) => feed.publish(c))
  clock.set(T0)
  t = testAuth(env.store, clock)
  metrics = createMetrics(T0)
  app = createApp({
    store: env.store,
    clock,
    metrics,
    log: captureLogger().log,
    alarmFeed: feed,
    ...t,
    http: { trustedProxies: [], streams: { perIdentity: 50, total: 1_000, queue: 500 } },
  })
})
afterEach(async () => env.dispose())

interface Ev {
  event: string
  id: string | null
  data: any
}
/** A stream reader that parses events as they come. */
async function open(key: string, lastEventId?: string) {
  const res = await app.request('/api/v1/alarms/stream', {
    headers: { authorization: `Bearer ${key}`, ...(lastEventId === undefined ? {} : { 'last-event-id': lastEventId }) },
  })
  expect(res.status).toBe(200)
  const reader = res.body!.getReader()
  const decoder = new TextDecoder()
  let text = ''
  const events: Ev[] = []
  const parse = () => {
    let end: number
    while ((end = text.indexOf('\n\n')) >= 0) {
      const block = text.slice(0, end)
      text = text.slice(end + 2)
      const field = (name: string) => [...block.matchAll(/^(\w+): ?(.*)$/gm)].find((m) => m[1] === name)?.[2]
      const event = field('event')
      if (event) events.push({ event, id: field('id') ?? null, data: JSON.parse(field('data') ?? 'null') })
    }
  }
  return {
    events,
    async until(n: number) {
      while (events.length < n) {
        const { value, done } = await reader.read()
        if (done) throw new Error(`the stream ended after ${events.length} events`)
        text += decoder.decode(value, { stream: true })
        parse()
      }
      return events
    },
    close: () => reader.cancel(),
  }
}

describe('alarm stream resume (Last-Event-ID)', () => {
  it('each change carries its timeline id; a reconnect gets what it missed, in order, then live changes, each once', async () => {
    const key = await testKey(t.accounts, 'park_operator')
    const first = await open(key)
    await first.until(1) // ready
    await env.store.ingestBatch(batch(1, [good(NH3, T0, 30)]), meta) // gas H
    const [, raise] = await first.until(2)
    expect(raise).toMatchObject({ event: 'raise', id: expect.stringMatching(/^\d+$/) })
    const timeline = await env.store.alarmTimeline(raise!.data.alarm.id, 'all')
    expect(timeline!.map((e) => e.action)).toEqual(['raise'])
    await first.close() // the link is cut

    // While it is away: the gas alarm recovers, a level alarm is raised, the gas one is acknowledged.
    await env.store.ingestBatch(batch(2, [good(NH3, T0 + 1_000, 2)]), meta)
    await env.store.ingestBatch(batch(3, [good(LEVEL, T0 + 2_000, 10)]), meta) // TK-101 H
    await env.store.actOnAlarm(raise!.data.alarm.id, { type: 'ack', by: 'center-li' }, T0 + 3_000, 'all')

    const again = await open(key, raise!.id!)
    const resumed = await again.until(4)
    expect(resumed[0]).toMatchObject({ event: 'ready', id: null, data: { resumedAfter: Number(raise!.id) } })
    expect(resumed.slice(1).map((e) => [e.event, e.data.alarm.point])).toEqual([
      ['recover', NH3],
      ['raise', LEVEL],
      ['ack', NH3],
    ])
    const ids = resumed.slice(1).map((e) => Number(e.id))
    expect(ids).toEqual([...ids].sort((a, b) => a - b))
    expect(ids[0]).toBeGreaterThan(Number(raise!.id))

    // Then live, with an id after the replayed ones.
    await env.store.actOnAlarm(
      raise!.data.alarm.id,
      { type: 'triage', by: 'center-li', verdict: 'invalid' },
      T0 + 4_000,
      'all',
    )
    const [live] = (await again.until(5)).slice(4)
    expect(live).toMatchObject({ event: 'triage' })
    expect(Number(live!.id)).toBeGreaterThan(ids[2]!)
    await again.close()
  })

  it("a resumed stream replays only the enterprise's own alarms, as the live stream would", async () => {
    const key = await testKey(t.accounts, 'enterprise_user', 'shilian')
    await env.store.ingestBatch(batch(1, [good('fuqiang.v201.pressure', T0, 1.2)]), meta) // fuqiang: HH and H
    await env.store.ingestBatch(batch(2, [good(LEVEL, T0 + 1, 10)]), meta) // shilian: H
    const s = await open(key, '0')
    const events = await s.until(2)
    expect(events.slice(1).map((e) => [e.event, e.data.alarm.point, e.data.alarm.kind])).toEqual([
      ['raise', LEVEL, 'H'],
    ])
    await s.close()
  })

  it('a Last-Event-ID that is no event id is refused (400 PL_BAD_REQUEST, counted) and holds no slot', async () => {
    const key = await testKey(t.accounts, 'park_operator')
    const res = await app.request('/api/v1/alarms/stream', {
      headers: { authorization: `Bearer ${key}`, 'last-event-id': '12-1700000000' },
    })
    expect(res.status).toBe(400)
    expect(await res.json()).toMatchObject({
      error: { code: 'PL_BAD_REQUEST', hint: expect.stringMatching(/reconnect without Last-Event-ID/) },
    })
    expect(metrics.http.refused.stream_bad_last_event_id).toBe(1)
    expect(feed.listeners).toBe(0)
  })
})
