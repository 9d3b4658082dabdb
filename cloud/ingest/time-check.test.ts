import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { decodeAck, encode } from '../../shared/wire/codec.ts'
import {
  LEVEL,
  T0,
  batch,
  birth,
  captureLogger,
  good,
  heartbeat,
  manualClock,
  ownershipParts,
  tempStore,
} from '../../test/cloud/helpers.ts'
import { startCommLossWatcher, type CommLossWatcher } from '../alarms/comm-loss.ts'
import { createMetrics } from '../metrics.ts'
import { AckTracker } from './ack-tracker.ts'
import { createClockOffsets } from '../../shared/clock-offset.ts'
import type { InboundMessage, IngestContext } from './context.ts'
import { handleData } from './handle-data.ts'
import { handleStatus } from './handle-status.ts'

/**
 * Time is checked at every boundary (issue 14): the cloud compares each sample's source time
 * with its own receive time, never lets a skewed one pin the latest value or the alarm state,
 * traces what it did not evaluate, watches the edge's clock, and decides "historical" by its own
 * clock too. Through the real handlers and a real SQLite store.
 */
const DATA = 'parklink/v1/huaian/shilian-01/data'
const STATUS = 'parklink/v1/huaian/shilian-01/status'
const HOUR = 3_600_000
const DAY = 24 * HOUR
const NOW = T0 + 10 * DAY

let env: Awaited<ReturnType<typeof tempStore>>
let ctx: IngestContext
const clock = manualClock()
const msg = (topic: string, payload: unknown, retained = false): InboundMessage => ({
  topic,
  payload: encode(payload as never),
  retained,
})
const latest = async () => (await env.store.getPoint(LEVEL, 'all'))?.latest
const alarms = async () =>
  (await env.store.listAlarms({ scope: 'all', state: 'all', limit: 20 })).map((a) => [a.kind, a.raisedAt, a.state])

beforeEach(async () => {
  env = await tempStore()
  clock.set(NOW)
  const metrics = createMetrics(NOW)
  const log = captureLogger().log
  ctx = {
    store: env.store,
    tracker: new AckTracker(),
    clock,
    metrics,
    log,
    clocks: createClockOffsets(),
    ...ownershipParts({ store: env.store, clock, log, metrics }),
    publish: (_topic, payload) => void expect(decodeAck(payload).ok).toBe(true),
  }
})
afterEach(async () => env.dispose())

describe('samples outside the time window at the cloud', () => {
  it('a sample one year ahead is stored uncertain (clock_skew), neither pins the latest value nor prevents the next HH', async () => {
    await handleData(ctx, msg(DATA, batch(1, [good(LEVEL, NOW - 1_000, 7)])))
    const ahead = NOW + 365 * DAY
    const out = await handleData(ctx, msg(DATA, batch(2, [good(LEVEL, ahead, 7.5)])))
    expect(out).toMatchObject({ kind: 'stored', result: { raised: 0, unevaluated: { clock_skew: 1 } } })
    expect(await latest()).toEqual({ ts: NOW - 1_000, value: 7, quality: 'good' })
    const stored = await env.store.history(LEVEL, { from: ahead, to: ahead, limit: 10 }, 'all')
    expect(stored).toEqual([{ ts: ahead, value: 7.5, quality: 'uncertain', reason: 'clock_skew:ahead:365d' }])

    clock.set(NOW + 60_000)
    const hh = await handleData(ctx, msg(DATA, batch(3, [good(LEVEL, NOW + 60_000, 10.8)])))
    expect(hh).toMatchObject({ result: { raised: 2 } })
    expect((await alarms()).sort()).toEqual([
      ['H', NOW + 60_000, 'active'],
      ['HH', NOW + 60_000, 'active'],
    ])
    expect(await latest()).toEqual({ ts: NOW + 60_000, value: 10.8, quality: 'good' })
    expect(ctx.metrics.time).toMatchObject({ skewedAhead: 1, unevaluated: { clock_skew: 1 } })
    expect(await env.store.listUnevaluated(LEVEL, { from: ahead, to: ahead, limit: 10 })).toMatchObject([
      { reason: 'clock_skew', samples: 1, from: ahead, seq: 2 },
    ])
  })

  it('a point whose only samples are skewed gets them as its (uncertain) latest value until a trusted one comes', async () => {
    await handleData(ctx, msg(DATA, batch(1, [good(LEVEL, NOW + 2 * DAY, 3)])))
    expect(await latest()).toMatchObject({ ts: NOW + 2 * DAY, quality: 'uncertain', reason: 'clock_skew:ahead:48h' })
    await handleData(ctx, msg(DATA, batch(2, [good(LEVEL, NOW, 4)])))
    expect(await latest()).toEqual({ ts: NOW, value: 4, quality: 'good' })
  })

  it('a sample older than the window (behindH) is stored uncertain, clock_skew:behind', async () => {
    ctx.time = { aheadS: 300, behindH: 72, historicalAfterS: 300, clockOffsetAlarmS: 60 }
    await handleData(ctx, msg(DATA, batch(1, [good(LEVEL, NOW - 4 * DAY, 11)])))
    expect(await latest()).toMatchObject({ quality: 'uncertain', reason: 'clock_skew:behind:4d' })
    expect(await alarms()).toEqual([])
    expect(ctx.metrics.time.skewedBehind).toBe(1)
  })
})

describe('late samples', () => {
  it("a sample one day late is not evaluated silently: counted as late, with its reason, in the point's trace", async () => {
    await handleData(ctx, msg(DATA, batch(1, [good(LEVEL, NOW - 1_000, 7)])))
    const late = NOW - DAY
    const out = await handleData(ctx, msg(DATA, batch(2, [good(LEVEL, late, 11)])))
    expect(out).toMatchObject({ kind: 'stored', result: { stale: 1, unevaluated: { late: 1 } } })
    expect(await alarms()).toEqual([])
    expect(ctx.metrics.time.unevaluated).toEqual({ late: 1, clock_skew: 0, replay_overlap: 0 })
    expect(await env.store.listUnevaluated(LEVEL, { from: late - HOUR, to: late + HOUR, limit: 10 })).toEqual([
      {
        point: LEVEL,
        edge: 'shilian-01',
        seq: 2,
        reason: 'late',
        samples: 1,
        from: late,
        to: late,
        evaluatedThrough: NOW - 1_000,
        receivedAt: NOW,
      },
    ])
    // Stored as it came: its quality is the source's, the trace says why it was not judged.
    expect(await env.store.history(LEVEL, { from: late, to: late, limit: 10 }, 'all')).toEqual([
      { ts: late, value: 11, quality: 'good' },
    ])
  })
})

describe('backlog samples the replay copy does not judge', () => {
  it('are traced as replay_overlap (at or after where live data took over)', async () => {
    await handleData(ctx, msg(DATA, batch(1, [good(LEVEL, NOW - 60_000, 7)])))
    // Live data overtakes the backlog (batch 2 is still on its way).
    await handleData(ctx, msg(DATA, batch(3, [good(LEVEL, NOW - 10_000, 7.1)])))
    const out = await handleData(
      ctx,
      msg(DATA, { ...batch(2, [good(LEVEL, NOW - 30_000, 7.2), good(LEVEL, NOW - 5_000, 7.3)]), historical: true }),
    )
    expect(out).toMatchObject({ kind: 'stored', result: { unevaluated: { replay_overlap: 1 } } })
    expect(await env.store.listUnevaluated(LEVEL, { from: NOW - DAY, to: NOW, limit: 10 })).toMatchObject([
      { reason: 'replay_overlap', samples: 1, from: NOW - 5_000, evaluatedThrough: NOW - 10_000, seq: 2 },
    ])
    expect(ctx.metrics.time.unevaluated.replay_overlap).toBe(1)
  })
})

describe("the edge's clock", () => {
  let watcher: CommLossWatcher
  beforeEach(() => {
    watcher = startCommLossWatcher({
      store: env.store,
      clock,
      log: captureLogger().log,
      staleAfterMs: 600_000,
      edgeOfflineAfterMs: 60_000,
      clockOffsetAlarmMs: 60_000,
      intervalMs: 3_600_000,
    })
  })
  afterEach(() => watcher.stop())
  const edge = async () => (await env.store.listEdges())[0]!
  const clockAlarms = async () =>
    (await env.store.listAlarms({ scope: 'all', state: 'all', limit: 20 }))
      .filter((a) => a.kind === 'CLOCK')
      .map((a) => [a.point, a.state, a.value])

  it('a step ahead raises CLOCK on edge:{id}; back within the threshold it recovers', async () => {
    await handleStatus(ctx, msg(STATUS, birth('s1', { ts: NOW + 500 })))
    expect(await edge()).toMatchObject({ clockOffsetMs: 500, clockCheckedAt: NOW })
    await watcher.runOnce()
    expect(await clockAlarms()).toEqual([])

    clock.set(NOW + 20_000)
    await handleStatus(ctx, msg(STATUS, heartbeat('s1', { ts: NOW + 20_000 + 2 * HOUR })))
    expect(await watcher.runOnce()).toMatchObject({ raised: 1 })
    expect(await clockAlarms()).toEqual([['edge:shilian-01', 'active', 7200]])

    // Stepped back: after the estimator's window the fresh heartbeats are believed.
    for (let t = 40_000; t <= 200_000; t += 20_000) {
      clock.set(NOW + t)
      await handleStatus(ctx, msg(STATUS, heartbeat('s1', { ts: NOW + t + 1_000 })))
    }
    expect(await watcher.runOnce()).toMatchObject({ recovered: 1 })
    expect(await clockAlarms()).toEqual([['edge:shilian-01', 'recovered', 7200]])
  })

  it('a step behind raises CLOCK; a retained or queued (delayed) heartbeat does not', async () => {
    await handleStatus(ctx, msg(STATUS, birth('s1', { ts: NOW })))
    // A retained heartbeat from long ago, and one queued for 5 min behind a fresh one: no estimate from them.
    await handleStatus(ctx, msg(STATUS, heartbeat('s1', { ts: NOW - DAY }), true))
    clock.set(NOW + 10_000)
    await handleStatus(ctx, msg(STATUS, heartbeat('s1', { ts: NOW + 10_000 - 300_000 })))
    expect((await edge()).clockOffsetMs).toBe(0)
    await watcher.runOnce()
    expect(await clockAlarms()).toEqual([])

    for (let t = 20_000; t <= 200_000; t += 20_000) {
      clock.set(NOW + t)
      await handleStatus(ctx, msg(STATUS, heartbeat('s1', { ts: NOW + t - 90_000 })))
    }
    expect((await edge()).clockOffsetMs).toBe(-90_000)
    expect(await watcher.runOnce()).toMatchObject({ raised: 1 })
    expect(await clockAlarms()).toEqual([['edge:shilian-01', 'active', -90]])
  })

  it("time a heartbeat waited in the cloud's own inbox does not count against the edge", async () => {
    await handleStatus(ctx, msg(STATUS, birth('s1', { ts: NOW })))
    // Came off the broker at NOW + 5 s, handled 3 min later behind a burst of data.
    clock.set(NOW + 185_000)
    await handleStatus(ctx, { ...msg(STATUS, heartbeat('s1', { ts: NOW + 5_000 })), arrivedAt: NOW + 5_000 })
    clock.set(NOW + 186_000)
    await watcher.runOnce()
    expect((await edge()).clockOffsetMs).toBe(0)
    expect(await clockAlarms()).toEqual([])
  })
})
