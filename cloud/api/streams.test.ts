import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { Hono } from 'hono'
import {
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
import { waitFor } from '../../test/util/wait.ts'
import { createAlarmFeed, subscribeQueued, type AlarmFeed } from '../alarms/feed.ts'
import { createMetrics } from '../metrics.ts'
import type { StreamLimits } from './config.ts'
import { createApp } from './app.ts'

/** Issue 13, HTTP: live alarm streams are capped per identity and in all, and a slow reader is dropped. */
const clock = manualClock()
let env: Awaited<ReturnType<typeof tempStore>>
let feed: AlarmFeed
let metrics: ReturnType<typeof createMetrics>
let t: ReturnType<typeof testAuth>
let app: Hono

function build(streams: StreamLimits = { perIdentity: 50, total: 1_000, queue: 500 }) {
  metrics = createMetrics(T0)
  app = createApp({
    store: env.store,
    clock,
    metrics,
    log: captureLogger().log,
    alarmFeed: feed,
    ...t,
    http: { trustedProxies: [], streams },
  })
}
const open = (key: string) => app.request('/api/v1/alarms/stream', { headers: { authorization: `Bearer ${key}` } })
const health = async (key: string) =>
  (await (await app.request('/api/v1/health', { headers: { authorization: `Bearer ${key}` } })).json()) as any

beforeEach(async () => {
  feed = createAlarmFeed()
  env = await tempStore(undefined, (c) => feed.publish(c))
  clock.set(T0)
  t = testAuth(env.store, clock)
  build()
})
afterEach(async () => env.dispose())

describe('alarm stream limits', () => {
  it('the 51st stream of one identity gets 429 PL_TOO_MANY_STREAMS; closing one frees its slot; /health counts them', async () => {
    const key = await testKey(t.accounts, 'park_operator')
    const streams = await Promise.all(Array.from({ length: 50 }, () => open(key)))
    expect(streams.every((r) => r.status === 200)).toBe(true)
    const refused = await open(key)
    expect(refused.status).toBe(429)
    expect(await refused.json()).toMatchObject({
      error: { code: 'PL_TOO_MANY_STREAMS', hint: expect.stringMatching(/close another/) },
    })
    // Another identity is not held up by this one.
    const other = await testKey(t.accounts, 'park_admin')
    const theirs = await open(other)
    expect(theirs.status).toBe(200)
    expect((await health(other)).http).toEqual({
      streams: { open: 51, identities: 2 },
      refusedByReason: expect.objectContaining({ stream_limit_identity: 1 }),
    })

    await streams[0]!.body!.cancel()
    await waitFor(() => feed.listeners === 50, { message: 'the cancelled stream to end' })
    const again = await open(key)
    expect(again.status).toBe(200)
    for (const r of [...streams.slice(1), theirs, again]) await r.body!.cancel()
    await waitFor(async () => (await health(other)).http.streams.open === 0, { message: 'every stream to end' })
    expect((await health(other)).http.streams).toEqual({ open: 0, identities: 0 })
  })

  it('beyond the total, any identity gets 429 (counted as stream_limit_total)', async () => {
    build({ perIdentity: 50, total: 2, queue: 500 })
    const [a, b] = [await testKey(t.accounts, 'park_operator'), await testKey(t.accounts, 'park_admin')]
    const first = [await open(a), await open(a)]
    expect((await open(b)).status).toBe(429)
    expect(metrics.http.refused.stream_limit_total).toBe(1)
    for (const r of first) await r.body!.cancel()
  })

  it('a reader that falls behind by more than the queue is dropped: its stream ends and its slot is freed', async () => {
    build({ perIdentity: 50, total: 1_000, queue: 5 })
    const key = await testKey(t.accounts, 'park_operator')
    await env.store.ingestBatch(batch(1, [good(NH3, T0, 30)]), { site: 'huaian', receivedAt: T0 }) // an alarm to tell about
    const [alarm] = await env.store.listAlarms({ state: 'active', scope: 'all', limit: 1 })
    const res = await open(key)
    const reader = res.body!.getReader()
    expect(new TextDecoder().decode((await reader.read()).value)).toMatch(/event: ready/)
    // The reader stops reading; the changes keep coming.
    for (let i = 0; i < 100 && metrics.http.refused.stream_slow_reader === 0; i++) {
      feed.publish({ alarm: alarm!.id, action: 'ack', at: T0 + i })
      await new Promise((resolve) => setImmediate(resolve))
    }
    expect(metrics.http.refused.stream_slow_reader).toBe(1)
    expect(feed.listeners).toBe(0)
    // What was already on its way may still arrive; then the stream is over.
    let events = 0
    for (;;) {
      const { value, done } = await reader.read()
      if (done) break
      events += [...new TextDecoder().decode(value).matchAll(/^event: ack$/gm)].length
    }
    expect(events).toBeLessThan(100)
    await waitFor(async () => (await health(key)).http.streams.open === 0, {
      message: 'the dropped stream to give its slot back',
    })
  })

  it('a queued subscription holds at most its bound, then gives up once', () => {
    const f = createAlarmFeed()
    let overflows = 0
    const sub = subscribeQueued(f, 3, clock, () => overflows++)
    for (let i = 0; i < 3; i++) f.publish({ alarm: 1, action: 'ack', at: i })
    expect(sub.size).toBe(3)
    expect(sub.overflowed).toBe(false)
    for (let i = 0; i < 10; i++) f.publish({ alarm: 1, action: 'ack', at: i })
    expect({ size: sub.size, overflowed: sub.overflowed, overflows, listeners: f.listeners }).toEqual({
      size: 0,
      overflowed: true,
      overflows: 1,
      listeners: 0,
    })
  })
})
