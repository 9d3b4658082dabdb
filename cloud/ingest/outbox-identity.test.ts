import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { Hono } from 'hono'
import { decodeAck, encode } from '../../shared/wire/codec.ts'
import {
  LEVEL,
  OUTBOX,
  T0,
  batch,
  birth,
  captureLogger,
  good,
  manualClock,
  ingestContext,
  signedIn,
  tempStore,
  testAuth,
  testKey,
} from '../../test/cloud/helpers.ts'
import { createApp } from '../api/app.ts'
import { AckTracker } from './ack-tracker.ts'
import type { InboundMessage, IngestContext } from './context.ts'
import { handleData } from './handle-data.ts'
import { handleStatus } from './handle-status.ts'

/**
 * Outbox identity (issue 13): the duplicate key is (edge, outbox, seq) with a content hash. A
 * reused key with other content is refused, never acked; a new outbox is a gap of unknown size
 * and numbers its seqs afresh; every ack names the outbox it counts.
 */
const DATA = 'parklink/v1/huaian/shilian-01/data'
const STATUS = 'parklink/v1/huaian/shilian-01/status'
const NEW_OUTBOX = 'outbox-2nd9z8y7'

let env: Awaited<ReturnType<typeof tempStore>>
let ctx: IngestContext
let acks: Array<{ outbox: string; through: number }>
let logs: ReturnType<typeof captureLogger>
let api: Pick<Hono, 'request'>
const clock = manualClock()

const msg = (payload: unknown): InboundMessage => ({ topic: DATA, payload: encode(payload as never), retained: false })
const history = async () =>
  (await env.store.history(LEVEL, { from: 0, to: T0 + 1e6, limit: 100 }, 'all')).map((s) => [s.ts - T0, s.value])
const get = async (path: string) => (await (await api.request(path)).json()) as any

beforeEach(async () => {
  logs = captureLogger()
  // The store logs what it learns of outboxes (a replacement, an earlier outbox) itself.
  env = await tempStore(logs.log)
  acks = []
  clock.set(T0 + 60_000)
  ctx = ingestContext({
    store: env.store,
    clock,
    log: logs.log,
    publish(_topic, payload) {
      const ack = decodeAck(payload)
      if (!ack.ok) throw new Error(`published a bad ack: ${ack.error}`)
      acks.push({ outbox: ack.value.outbox, through: ack.value.through })
    },
  })
  const auth = testAuth(env.store, clock)
  api = signedIn(
    createApp({ store: env.store, clock, metrics: ctx.metrics, log: captureLogger().log, ...auth }),
    await testKey(auth.accounts),
  )
})
afterEach(async () => env.dispose())

describe('a reused (edge, outbox, seq)', () => {
  it('with other content is refused, not acked, counted and logged with both hashes; the original stays', async () => {
    await handleData(ctx, msg(batch(1, [good(LEVEL, T0, 7)])))
    const forged = await handleData(ctx, msg(batch(1, [good(LEVEL, T0, 11.9)])))
    expect(forged).toMatchObject({ kind: 'rejected', reason: 'seq_conflict' })
    expect(acks).toEqual([{ outbox: OUTBOX, through: 1 }])
    expect(await history()).toEqual([[0, 7]])
    expect(await env.store.listAlarms({ scope: 'all', state: 'all', limit: 10 })).toEqual([])
    const conflict = logs.lines().find((l) => /SEQ CONFLICT/.test(String(l.msg)))
    expect(conflict).toMatchObject({
      level: 50,
      edge: 'shilian-01',
      outbox: OUTBOX,
      seq: 1,
      storedHash: expect.stringMatching(/^[0-9a-f]{64}$/),
      hash: expect.stringMatching(/^[0-9a-f]{64}$/),
    })
    expect(conflict!.storedHash).not.toBe(conflict!.hash)
    expect((await get('/api/v1/health')).ingest).toMatchObject({
      rejected: 1,
      rejectedByReason: { seq_conflict: 1 },
      duplicates: 0,
    })
  })

  it('with the same content is a resend: acked again as a duplicate, whatever session, floor or historical flag it carries now', async () => {
    const first = batch(1, [good(LEVEL, T0, 7)])
    await handleData(ctx, msg(first))
    // Key order differs too: the hash is of the content, not of one encoder's bytes.
    const resent = {
      ...first,
      session: 's-2',
      historical: true,
      samples: [{ quality: 'good', value: 7, ts: T0, point: LEVEL }],
    }
    expect(await handleData(ctx, msg(resent))).toMatchObject({ kind: 'duplicate', through: 1 })
    expect(acks).toEqual([
      { outbox: OUTBOX, through: 1 },
      { outbox: OUTBOX, through: 1 },
    ])
    expect(ctx.metrics.ingest).toMatchObject({ duplicates: 1, rejected: { seq_conflict: 0 } })
  })

  it('resent after the cloud marked it (clock_skew at its first arrival, in time now) is still a duplicate, not a conflict', async () => {
    // Ten minutes ahead of the cloud's clock at first: stored uncertain with clock_skew.
    const ahead = batch(1, [good(LEVEL, clock.now() + 600_000, 7)])
    expect(await handleData(ctx, msg(ahead))).toMatchObject({ kind: 'stored', through: 1 })
    // The same batch resent once the cloud's clock has caught up: the hash is of what the edge sent.
    clock.advance(600_000)
    expect(await handleData(ctx, msg(ahead))).toMatchObject({ kind: 'duplicate', through: 1 })
    expect(ctx.metrics.ingest.rejected.seq_conflict).toBe(0)
  })

  it('sent ahead of the real edge by someone else leaves the real batches refused, never acked (the edge keeps them), not taken for duplicates', async () => {
    await handleData(ctx, msg(batch(1, [good(LEVEL, T0, 7)])))
    // Someone who learnt the outbox id publishes seqs 2 and 3 first.
    for (const seq of [2, 3]) await handleData(ctx, msg(batch(seq, [good(LEVEL, T0 + seq, 0)])))
    const acked = acks.length
    for (const seq of [2, 3])
      expect(await handleData(ctx, msg(batch(seq, [good(LEVEL, T0 + seq * 1000, 8)])))).toMatchObject({
        kind: 'rejected',
        reason: 'seq_conflict',
      })
    expect(acks.length).toBe(acked)
    expect(ctx.metrics.ingest.rejected.seq_conflict).toBe(2)
  })
})

describe('an edge with a new outbox', () => {
  it('numbers afresh, is recorded as an "outbox replaced" gap of unknown size, and acks name the outbox they count', async () => {
    for (const seq of [1, 2, 3]) await handleData(ctx, msg(batch(seq, [good(LEVEL, T0 + seq * 1000, 7)])))
    clock.set(T0 + 120_000)
    // The disk was replaced: seqs restart at 1, below the old outbox's mark of 3.
    const fresh = await handleData(ctx, msg(batch(1, [good(LEVEL, T0 + 100_000, 8)], { outbox: NEW_OUTBOX })))
    expect(fresh).toMatchObject({ kind: 'stored', through: 1 })
    expect(acks.at(-1)).toEqual({ outbox: NEW_OUTBOX, through: 1 })
    expect(await history()).toContainEqual([100_000, 8])
    expect(logs.lines().find((l) => /OUTBOX REPLACED/.test(String(l.msg)))).toMatchObject({
      level: 40,
      edge: 'shilian-01',
      outbox: NEW_OUTBOX,
      oldOutbox: OUTBOX,
      lastSeq: 3,
      lastTs: T0 + 3_000,
    })
    expect(await get('/api/v1/gaps?edge=shilian-01')).toEqual([
      {
        edge: 'shilian-01',
        reason: 'outbox_replaced',
        oldOutbox: OUTBOX,
        newOutbox: NEW_OUTBOX,
        lastSeq: 3,
        lastTs: T0 + 3_000,
        fromSeq: 4,
        throughSeq: null,
        batches: null,
        samples: null,
        from: T0 + 3_000,
        to: T0 + 120_000,
        points: 'all',
        at: T0 + 120_000,
        receivedAt: T0 + 120_000,
      },
    ])
    expect(await get(`/api/v1/gaps?point=${LEVEL}&from=${T0 + 110_000}`)).toHaveLength(1)
    expect((await get('/api/v1/edges'))[0]).toMatchObject({ outboxId: NEW_OUTBOX, ackedThrough: 1 })
    // A birth naming the new outbox is answered with its mark, never the old outbox's.
    await handleStatus(ctx, { topic: STATUS, payload: encode(birth('s-2', { outboxId: NEW_OUTBOX })), retained: false })
    expect(acks.at(-1)).toEqual({ outbox: NEW_OUTBOX, through: 1 })
  })

  it('still stores, once, a backlog of the old outbox that arrives afterwards, keyed and acked by its own id', async () => {
    for (const seq of [1, 2]) await handleData(ctx, msg(batch(seq, [good(LEVEL, T0 + seq * 1000, 7)])))
    await handleData(ctx, msg(batch(1, [good(LEVEL, T0 + 100_000, 8)], { outbox: NEW_OUTBOX })))
    // The old file, restored from a backup, delivers what it still held.
    const late = batch(3, [good(LEVEL, T0 + 3_000, 7.5)])
    expect(await handleData(ctx, msg(late))).toMatchObject({ kind: 'stored', through: 3 })
    expect(acks.at(-1)).toEqual({ outbox: OUTBOX, through: 3 })
    expect(await handleData(ctx, msg(late))).toMatchObject({ kind: 'duplicate' })
    expect((await history()).filter(([ts]) => ts === 3_000)).toEqual([[3_000, 7.5]])
    expect(logs.lines().some((l) => /earlier outbox/.test(String(l.msg)))).toBe(true)
    // One replacement recorded, not one per switch.
    expect((await get('/api/v1/gaps?edge=shilian-01')).map((g: { reason: string }) => g.reason)).toEqual([
      'outbox_replaced',
    ])
  })

  it('keeps the marks per outbox across a restart of the cloud', async () => {
    for (const seq of [1, 2, 3]) await handleData(ctx, msg(batch(seq, [good(LEVEL, T0 + seq * 1000, 7)])))
    for (const seq of [1, 3])
      await handleData(ctx, msg(batch(seq, [good(LEVEL, T0 + 100_000 + seq, 8)], { outbox: NEW_OUTBOX })))
    const rebuilt = new AckTracker(await env.store.loadAckStates())
    expect([
      rebuilt.through('shilian-01', OUTBOX),
      rebuilt.through('shilian-01', NEW_OUTBOX),
      rebuilt.through('shilian-01'),
    ]).toEqual([3, 1, 1])
    expect(rebuilt.pending('shilian-01')).toEqual([3])
  })
})
