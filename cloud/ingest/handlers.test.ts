import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { decodeAck, encode } from '../../shared/wire/codec.ts'
import {
  LEVEL,
  NH3,
  T0,
  batch,
  birth,
  captureLogger,
  death,
  good,
  heartbeat,
  manualClock,
  ingestContext,
  tempStore,
} from '../../test/cloud/helpers.ts'
import { totalRejected } from '../metrics.ts'
import type { InboundMessage, IngestContext } from './context.ts'
import { handleData } from './handle-data.ts'
import { handleStatus } from './handle-status.ts'

const DATA = 'parklink/v1/huaian/shilian-01/data'
const STATUS = 'parklink/v1/huaian/shilian-01/status'
const ACK = 'parklink/v1/huaian/shilian-01/ack'

let env: Awaited<ReturnType<typeof tempStore>>
let ctx: IngestContext
let published: Array<{ topic: string; through: number; edge: string }>
let logs: ReturnType<typeof captureLogger>
const clock = manualClock()

const msg = (topic: string, payload: unknown, retained = false): InboundMessage => ({
  topic,
  payload: Buffer.isBuffer(payload)
    ? payload
    : typeof payload === 'string'
      ? Buffer.from(payload)
      : encode(payload as never),
  retained,
})

beforeEach(async () => {
  env = await tempStore()
  logs = captureLogger()
  published = []
  clock.set(T0 + 60_000)
  ctx = ingestContext({
    store: env.store,
    clock,
    log: logs.log,
    publish(topic, payload) {
      const ack = decodeAck(payload)
      if (!ack.ok) throw new Error(`published a bad ack: ${ack.error}`)
      published.push({ topic, through: ack.value.through, edge: ack.value.edge })
    },
  })
})
afterEach(async () => env.dispose())

describe('handleData', () => {
  it('stores a batch, updates latest, and publishes the contiguous ack', async () => {
    const out = await handleData(ctx, msg(DATA, batch(1, [good(LEVEL, T0, 7.25)])))
    expect(out).toMatchObject({ kind: 'stored', through: 1 })
    expect(published).toEqual([{ topic: ACK, through: 1, edge: 'shilian-01' }])
    expect((await env.store.getPoint(LEVEL, 'all'))?.latest).toEqual({ ts: T0, value: 7.25, quality: 'good' })
    expect((await env.store.listEdges())[0]).toMatchObject({
      id: 'shilian-01',
      site: 'huaian',
      ackedThrough: 1,
      lastSeen: clock.now(),
    })
    expect(ctx.metrics.ingest).toMatchObject({ batches: 1, samples: 1, duplicates: 0, acks: 1 })
  })

  it('live data ahead of a gap is judged at once; the gap, filled later, gives the alarm its first crossing time', async () => {
    // Batch 2 crosses HH first; batch 3 arrives before it (2 was lost with a broker and is resent).
    await handleData(ctx, msg(DATA, batch(1, [good(LEVEL, T0, 7)])))
    const ahead = await handleData(ctx, msg(DATA, batch(3, [good(LEVEL, T0 + 2_000, 11.2)])))
    expect(ahead).toMatchObject({ kind: 'stored', through: 1, result: { deferred: false, raised: 2 } })
    expect((await env.store.listAlarms({ scope: 'all', state: 'all', limit: 10 })).map((a) => a.raisedAt - T0)).toEqual(
      [2_000, 2_000],
    )
    expect((await env.store.getPoint(LEVEL, 'all'))?.latest?.value).toBe(11.2)
    await handleData(ctx, msg(DATA, batch(2, [good(LEVEL, T0 + 1_000, 10.9)])))
    const alarms = await env.store.listAlarms({ scope: 'all', state: 'all', limit: 10 })
    // Still one episode per kind; it carries the first crossing's time, as if the batches had come in order.
    expect(alarms.map((a) => [a.kind, a.raisedAt - T0, a.state]).sort()).toEqual([
      ['H', 1_000, 'active'],
      ['HH', 1_000, 'active'],
    ])
    expect(published.at(-1)).toMatchObject({ through: 3 })
  })

  it('a gap the edge gave up (its floor moved past) releases the waiting batches', async () => {
    await handleData(ctx, msg(DATA, batch(1, [good(LEVEL, T0, 7)])))
    await handleData(ctx, msg(DATA, batch(3, [good(LEVEL, T0 + 2_000, 11.2)])))
    // Batch 2 was evicted at the edge: the next batch says so with floor 3.
    await handleData(ctx, msg(DATA, batch(4, [good(LEVEL, T0 + 3_000, 11.3)], { floor: 3 })))
    expect((await env.store.listAlarms({ scope: 'all', state: 'all', limit: 10 })).map((a) => a.raisedAt - T0)).toEqual(
      [2_000, 2_000],
    )
  })

  it('a duplicate batch is stored once and still acked', async () => {
    const b = batch(1, [good(LEVEL, T0, 7.25), good(NH3, T0, 1)])
    await handleData(ctx, msg(DATA, b))
    const again = await handleData(ctx, msg(DATA, b))
    expect(again).toMatchObject({ kind: 'duplicate', through: 1 })
    expect(published.map((p) => p.through)).toEqual([1, 1])
    expect(await env.store.history(LEVEL, { from: 0, to: T0 + 1, limit: 10 }, 'all')).toHaveLength(1)
    expect(ctx.metrics.ingest).toMatchObject({ batches: 1, samples: 2, duplicates: 1, acks: 2 })
  })

  it('acks out-of-order arrivals only through the contiguous mark', async () => {
    await handleData(ctx, msg(DATA, batch(1, [good(LEVEL, T0 + 1, 5)])))
    await handleData(ctx, msg(DATA, batch(3, [good(LEVEL, T0 + 3, 5)])))
    await handleData(ctx, msg(DATA, batch(2, [good(LEVEL, T0 + 2, 5)])))
    expect(published.map((p) => p.through)).toEqual([1, 1, 3])
    expect((await env.store.listEdges())[0]?.ackedThrough).toBe(3)
  })

  it('raises an alarm from a batch and counts it', async () => {
    await handleData(ctx, msg(DATA, batch(1, [good(LEVEL, T0, 11)])))
    expect(
      (await env.store.listAlarms({ scope: 'all', state: 'active', limit: 10 })).map((a) => a.kind).sort(),
    ).toEqual(['H', 'HH'])
    expect(ctx.metrics.ingest.alarmsRaised).toBe(2)
  })

  it.each([
    ['not JSON', DATA, 'garbage {', 'invalid_payload', /not JSON/],
    ['wrong wire version', DATA, JSON.stringify({ ...batch(1, [good(LEVEL, T0, 1)]), v: 2 }), 'invalid_payload', /^v:/],
    [
      'floor above seq',
      DATA,
      JSON.stringify(batch(1, [good(LEVEL, T0, 1)], { floor: 5 })),
      'invalid_payload',
      /^floor:/,
    ],
    ['a status on the data topic', DATA, JSON.stringify(heartbeat('s')), 'invalid_payload', /./],
    [
      'payload edge differs from the topic edge',
      DATA,
      JSON.stringify(batch(1, [good(LEVEL, T0, 1)], { edge: 'other-edge' })),
      'edge_mismatch',
      /other-edge/,
    ],
    [
      'topic outside parklink/v1',
      'parklink/v2/huaian/shilian-01/data',
      JSON.stringify(batch(1, [good(LEVEL, T0, 1)])),
      'bad_topic',
      /parklink\/v1/,
    ],
    [
      'wildcard-like edge id in the topic',
      'parklink/v1/huaian/a+b/data',
      JSON.stringify(batch(1, [good(LEVEL, T0, 1)])),
      'bad_topic',
      /./,
    ],
  ])('garbage (%s) is counted and logged, nothing stored, no ack', async (_name, topic, payload, reason, error) => {
    const out = await handleData(ctx, msg(topic, payload))
    expect(out).toMatchObject({ kind: 'rejected', reason })
    expect(published).toEqual([])
    expect(await env.store.listEdges()).toEqual([])
    expect(await env.store.history(LEVEL, { from: 0, to: T0 + 1e6, limit: 10 }, 'all')).toEqual([])
    expect(ctx.metrics.ingest.rejected[reason as 'bad_topic']).toBe(1)
    expect(totalRejected(ctx.metrics)).toBe(1)
    const warn = logs.lines().find((l) => l.msg === 'message rejected')
    expect(warn).toMatchObject({ level: 40, topic, reason })
    expect(String(warn?.error)).toMatch(error)
  })

  it('a store failure is not acked and is counted (the edge resends)', async () => {
    await env.store.close()
    const out = await handleData(ctx, msg(DATA, batch(1, [good(LEVEL, T0, 1)])))
    expect(out.kind).toBe('failed')
    expect(published).toEqual([])
    expect(ctx.metrics.ingest.failed).toBe(1)
    expect(ctx.tracker.through('shilian-01')).toBe(0)
  })
})

describe('handleStatus', () => {
  it('birth marks the edge online with its session, config hash, outbox and points', async () => {
    expect(await handleStatus(ctx, msg(STATUS, birth('s-1')))).toEqual({ kind: 'birth' })
    expect((await env.store.listEdges())[0]).toMatchObject({
      id: 'shilian-01',
      site: 'huaian',
      online: true,
      session: 's-1',
      configHash: 'cfg-1',
      lastSeen: clock.now(),
      outbox: { samples: 12 },
    })
    expect(await env.store.getPoint('shilian.p101.run', 'all')).toMatchObject({
      name: '泵运行',
      device: 'dcs-1',
      edge: 'shilian-01',
    })
    // Registry fields of a registered point are not overwritten by the birth.
    expect(await env.store.getPoint(LEVEL, 'all')).toMatchObject({
      name: '液氨储罐TK-101液位',
      unit: 'm',
      enterprise: 'shilian',
      device: 'dcs-1',
    })
  })

  it('a birth republishes the known ack mark to the reconnecting edge', async () => {
    await handleData(ctx, msg(DATA, batch(1, [good(LEVEL, T0, 1)])))
    await handleStatus(ctx, msg(STATUS, birth('s-2')))
    expect(published.map((p) => p.through)).toEqual([1, 1])
  })

  it('a late death of an old session does not mark the newer session offline', async () => {
    await handleStatus(ctx, msg(STATUS, birth('s-1')))
    await handleStatus(ctx, msg(STATUS, birth('s-2')))
    expect(await handleStatus(ctx, msg(STATUS, death('s-1')))).toEqual({ kind: 'death', applied: false })
    expect((await env.store.listEdges())[0]).toMatchObject({ online: true, session: 's-2' })
    expect(await handleStatus(ctx, msg(STATUS, death('s-2')))).toEqual({ kind: 'death', applied: true })
    expect((await env.store.listEdges())[0]).toMatchObject({ online: false, session: 's-2' })
  })

  it('state updates outbox and drivers; a state of an unknown session adopts it', async () => {
    await handleStatus(ctx, msg(STATUS, birth('s-1')))
    expect(await handleStatus(ctx, msg(STATUS, heartbeat('s-1')))).toEqual({
      kind: 'state',
      adopted: false,
      ignored: false,
    })
    expect((await env.store.listEdges())[0]).toMatchObject({
      outbox: { samples: 3 },
      drivers: [{ device: 'dcs-1', state: 'connected' }],
    })
    expect(await handleStatus(ctx, msg(STATUS, heartbeat('s-9')))).toEqual({
      kind: 'state',
      adopted: true,
      ignored: false,
    })
    expect((await env.store.listEdges())[0]).toMatchObject({ session: 's-9', online: true })
  })

  it('a heartbeat straggling after its session died does not revive it', async () => {
    await handleStatus(ctx, msg(STATUS, birth('s-1')))
    await handleStatus(ctx, msg(STATUS, death('s-1')))
    expect(await handleStatus(ctx, msg(STATUS, heartbeat('s-1')))).toMatchObject({ ignored: true })
    expect((await env.store.listEdges())[0]?.online).toBe(false)
  })

  it('a retained status replayed at subscribe counts as seen at its own time, not now', async () => {
    await handleStatus(ctx, msg(STATUS, heartbeat('s-1', { ts: T0 }), true))
    expect((await env.store.listEdges())[0]?.lastSeen).toBe(T0)
    await handleStatus(ctx, msg(STATUS, heartbeat('s-1', { ts: clock.now() + 3_600_000 }), true))
    expect((await env.store.listEdges())[0]?.lastSeen).toBe(clock.now()) // an edge clock ahead is capped at now
  })

  it.each([
    ['bad JSON', STATUS, '{', 'invalid_payload'],
    [
      'unknown kind',
      STATUS,
      JSON.stringify({ v: 1, kind: 'zombie', edge: 'shilian-01', session: 's' }),
      'invalid_payload',
    ],
    ['edge mismatch', STATUS, JSON.stringify(death('s', 'other')), 'edge_mismatch'],
    ['data channel', DATA, JSON.stringify(death('s')), 'bad_topic'],
  ])('rejects %s without touching the store', async (_n, topic, payload, reason) => {
    expect(await handleStatus(ctx, msg(topic, payload))).toMatchObject({ kind: 'rejected', reason })
    expect(await env.store.listEdges()).toEqual([])
    expect(ctx.metrics.ingest.statuses).toBe(0)
  })
})
