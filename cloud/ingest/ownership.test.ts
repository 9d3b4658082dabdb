import { createHash, randomUUID } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { decodeAck, encode } from '../../shared/wire/codec.ts'
import type { CameraEvent } from '../../shared/wire/camera.ts'
import type { DataBatch } from '../../shared/wire/messages.ts'
import { SNAPSHOT_FIXTURE } from '../../test/sim/onvif-sim.ts'
import {
  LEVEL,
  NH3,
  PRESSURE,
  T0,
  batch,
  birth,
  captureLogger,
  good,
  manualClock,
  ownershipParts,
  registry,
  tempStore,
} from '../../test/cloud/helpers.ts'
import type { ClaimPolicy } from '../config.ts'
import { createMetrics } from '../metrics.ts'
import { AckTracker } from './ack-tracker.ts'
import { createCommandChannel } from './commands.ts'
import type { InboundMessage, IngestContext } from './context.ts'
import { handleData } from './handle-data.ts'
import { handleStatus } from './handle-status.ts'

/**
 * Ownership at ingest (issue 13), through the real handlers and a real SQLite store: edge A
 * (shilian-01, 实联) owns LEVEL and NH3, edge B (fuqiang-01, 富强) owns PRESSURE (HH 1.0 MPa).
 */
const A = 'shilian-01'
const B = 'fuqiang-01'
const topicOf = (edge: string, channel: 'data' | 'status', site = 'huaian') => `parklink/v1/${site}/${edge}/${channel}`
const msg = (topic: string, payload: unknown): InboundMessage => ({
  topic,
  payload: encode(payload as never),
  retained: false,
})

let env: Awaited<ReturnType<typeof tempStore>>
let ctx: IngestContext
let acks: Array<{ edge: string; through: number }>
let logs: ReturnType<typeof captureLogger>
const clock = manualClock()

async function setUp(policy: ClaimPolicy, extra: { points?: typeof registry.points } = {}) {
  env = await tempStore()
  await env.store.applyRegistry({
    ...registry,
    edges: [
      { id: A, site: 'huaian', enterprise: 'shilian' },
      { id: B, site: 'huaian', enterprise: 'fuqiang' },
    ],
    points: [
      ...registry.points.map((p) => ({ ...p, edge: p.enterprise === 'shilian' ? A : B })),
      ...(extra.points ?? []),
    ],
    claimUnknownPoints: policy,
  })
  logs = captureLogger()
  acks = []
  clock.set(T0 + 60_000)
  const metrics = createMetrics(clock.now())
  ctx = {
    store: env.store,
    tracker: new AckTracker(),
    clock,
    metrics,
    log: logs.log,
    ...ownershipParts({ store: env.store, clock, log: logs.log, metrics, policy }),
    publish(_topic, payload) {
      const ack = decodeAck(payload)
      if (!ack.ok) throw new Error(ack.error)
      acks.push({ edge: ack.value.edge, through: ack.value.through })
    },
  }
}
afterEach(async () => env.dispose())

const securityAlarms = async (edge: string) =>
  (await env.store.listAlarms({ scope: 'all', state: 'all', limit: 50 })).filter(
    (a) => a.point === `edge:${edge}` && a.kind === 'SECURITY',
  )
const refusedLogs = (id: string) => logs.lines().filter((l) => l.msg?.toString().startsWith('refused') && l.id === id)

describe('samples: an edge writes only its own points', () => {
  beforeEach(() => setUp('strict'))

  it("a foreign point in A's batch is refused and counted; A's own samples are stored and the batch acked", async () => {
    const out = await handleData(ctx, msg(topicOf(A, 'data'), batch(1, [good(LEVEL, T0, 7.25), good(PRESSURE, T0, 5)])))
    expect(out).toMatchObject({ kind: 'stored', through: 1, result: { samples: 1 } })
    expect(acks).toEqual([{ edge: A, through: 1 }])
    expect((await env.store.getPoint(LEVEL, 'all'))?.latest).toMatchObject({ value: 7.25 })
    // B's point: untouched, still B's, and no alarm although 5 MPa is far above its HH.
    expect(await env.store.getPoint(PRESSURE, 'all')).toMatchObject({ edge: B, latest: null })
    expect(
      (await env.store.listAlarms({ scope: 'all', state: 'all', limit: 50 })).filter((a) => a.point === PRESSURE),
    ).toEqual([])
    expect(ctx.metrics.ingest.refused.foreign_point).toBe(1)
  })

  it('raises one SECURITY alarm on edge:A with the refused ids in its timeline, and an audit entry; logs once per point', async () => {
    await handleData(ctx, msg(topicOf(A, 'data'), batch(1, [good(LEVEL, T0, 7), good(PRESSURE, T0, 5)])))
    await handleData(
      ctx,
      msg(topicOf(A, 'data'), batch(2, [good(PRESSURE, T0 + 1_000, 5), good(PRESSURE, T0 + 2_000, 5)])),
    )
    const [alarm, ...more] = await securityAlarms(A)
    expect(more).toEqual([])
    expect(alarm).toMatchObject({ kind: 'SECURITY', priority: 'A' })
    const timeline = await env.store.alarmTimeline(alarm!.id, 'all')
    expect(timeline?.find((s) => s.action === 'raise')?.detail).toMatchObject({
      reason: 'foreign_point',
      code: 'PL_FOREIGN_POINT',
      items: [PRESSURE],
    })
    // The same point again: counted, not logged again, no new step.
    expect(ctx.metrics.ingest.refused.foreign_point).toBe(3)
    expect(refusedLogs(PRESSURE)).toHaveLength(1)
    expect(timeline?.filter((s) => s.action === 'refused')).toEqual([])
    const audit = await env.store.auth.queryAudit({ action: 'ingest_refused', limit: 10 })
    expect(audit).toHaveLength(1)
    expect(audit[0]).toMatchObject({
      actor: `edge:${A}`,
      target: `edge:${A}`,
      outcome: 'refused',
      detail: { reason: 'foreign_point', items: [PRESSURE], alarm: alarm!.id },
    })
    // A new foreign point joins the open alarm's timeline.
    await handleData(ctx, msg(topicOf(A, 'data'), batch(3, [good('fuqiang.v202.pressure', T0, 1)])))
    expect(await securityAlarms(A)).toHaveLength(1)
    expect(
      (await env.store.alarmTimeline(alarm!.id, 'all'))?.find((s) => s.action === 'refused')?.detail,
    ).toMatchObject({ items: ['fuqiang.v202.pressure'] })
  })

  it('a batch with nothing of its own is still stored and acked (else it would be resent forever)', async () => {
    const out = await handleData(ctx, msg(topicOf(A, 'data'), batch(1, [good(PRESSURE, T0, 5)])))
    expect(out).toMatchObject({ kind: 'stored', through: 1, result: { samples: 0 } })
    expect(acks).toEqual([{ edge: A, through: 1 }])
    expect((await env.store.listEdges()).find((e) => e.id === A)?.ackedThrough).toBe(1)
  })

  it("the edge's own alarm changes and gaps for foreign points are ignored the same way", async () => {
    const b: DataBatch = {
      ...batch(1, [good(NH3, T0, 1)]),
      alarms: [{ type: 'raise', point: PRESSURE, kind: 'HH', ts: T0, value: 5, limit: 1 }],
      gaps: [
        {
          reason: 'cap',
          fromSeq: 1,
          throughSeq: 1,
          batches: 1,
          samples: 3,
          from: T0 - 10_000,
          to: T0,
          points: [PRESSURE],
          at: T0,
        },
      ],
    }
    expect(await handleData(ctx, msg(topicOf(A, 'data'), b))).toMatchObject({
      kind: 'stored',
      result: { edgeAlarms: { matched: 0, unmatched: 0 } },
    })
    expect(await env.store.listGaps({ limit: 10 })).toEqual([])
    expect(ctx.metrics.ingest.refused.foreign_point).toBe(2)
  })

  it('gap records in a resend answer (the command channel) are screened the same way', async () => {
    const commands = createCommandChannel({
      publish: () => {},
      store: env.store,
      clock,
      log: logs.log,
      snapshots: ctx.snapshots,
      ownership: ctx.ownership,
      refusals: ctx.refusals,
    })
    const gap = (points: string[]) => ({
      reason: 'cap' as const,
      fromSeq: 1,
      throughSeq: 2,
      batches: 2,
      samples: 4,
      from: T0,
      to: T0 + 1_000,
      points,
      at: T0,
    })
    const answer = {
      v: 1,
      id: randomUUID(),
      edge: A,
      ts: T0,
      ok: true,
      result: { type: 'resend', resent: [], alreadyAcked: 0, gaps: [gap([LEVEL, PRESSURE]), gap([PRESSURE])] },
    }
    await commands.handleResponse(msg(`parklink/v1/huaian/${A}/resp`, answer))
    expect((await env.store.listGaps({ limit: 10 })).map((g) => g.points)).toEqual([[LEVEL]])
    expect(ctx.metrics.ingest.refused.foreign_point).toBe(2)
    commands.close()
  })

  it('strict: an unknown point is not claimed, and an edge not in the registry claims nothing', async () => {
    await handleData(ctx, msg(topicOf(A, 'data'), batch(1, [good('shilian.new.temp', T0, 20)])))
    expect(await env.store.getPoint('shilian.new.temp', 'all')).toBeNull()
    await handleData(
      ctx,
      msg(
        topicOf('intruder', 'data'),
        batch(1, [good('free.point', T0, 1), good(LEVEL, T0, 99)], { edge: 'intruder' }),
      ),
    )
    expect(await env.store.getPoint('free.point', 'all')).toBeNull()
    expect((await env.store.getPoint(LEVEL, 'all'))?.latest).toBeNull()
    expect(acks).toEqual([
      { edge: A, through: 1 },
      { edge: 'intruder', through: 1 },
    ])
    expect(await securityAlarms('intruder')).toHaveLength(1)
  })

  it('a registered edge speaking under another site is refused whole: not stored, not acked, counted', async () => {
    const out = await handleData(ctx, msg(topicOf(A, 'data', 'elsewhere'), batch(1, [good(LEVEL, T0, 7)])))
    expect(out).toMatchObject({ kind: 'rejected', reason: 'site_mismatch' })
    expect(acks).toEqual([])
    expect(ctx.metrics.ingest.rejected.site_mismatch).toBe(1)
    expect(await handleStatus(ctx, msg(topicOf(A, 'status', 'elsewhere'), birth('s-1')))).toMatchObject({
      kind: 'rejected',
      reason: 'site_mismatch',
    })
  })
})

describe('claims: open policy', () => {
  beforeEach(() =>
    setUp('open', {
      points: [
        {
          id: 'fuqiang.unbound',
          name: '未绑定',
          unit: '',
          enterprise: 'fuqiang',
          class: 'general',
          limitsFromSource: false,
        },
      ],
    }),
  )

  it("the first edge claims an unbound point; another edge is then refused; an enterprise's edge never claims another enterprise's point", async () => {
    await handleData(
      ctx,
      msg(topicOf(A, 'data'), batch(1, [good('shilian.new.temp', T0, 20), good('fuqiang.unbound', T0, 1)])),
    )
    expect(await env.store.getPoint('shilian.new.temp', 'all')).toMatchObject({ edge: A })
    expect(await env.store.getPoint('fuqiang.unbound', 'all')).toMatchObject({ edge: null, latest: null })
    await handleData(
      ctx,
      msg(
        topicOf(B, 'data'),
        batch(1, [good('shilian.new.temp', T0 + 1_000, 99), good('fuqiang.unbound', T0, 2)], { edge: B }),
      ),
    )
    expect((await env.store.getPoint('shilian.new.temp', 'all'))?.latest).toMatchObject({ value: 20 })
    expect(await env.store.getPoint('fuqiang.unbound', 'all')).toMatchObject({ edge: B })
    expect(ctx.metrics.ingest.refused.foreign_point).toBe(2)
  })
})

describe("births: never re-home, never re-limit another edge's point", () => {
  const sourceLimited = { ...registry.points[0]!, limits: { deadband: 0.1 }, limitsFromSource: true }
  beforeEach(() => setUp('strict', { points: [] }))

  it("B's birth cannot take A's point, nor change its range or its limitsFromSource limits (e.g. HH 999)", async () => {
    await env.store.applyRegistry({
      ...registry,
      edges: [
        { id: A, site: 'huaian', enterprise: 'shilian' },
        { id: B, site: 'huaian', enterprise: 'fuqiang' },
      ],
      points: [{ ...sourceLimited, edge: A }],
      claimUnknownPoints: 'strict',
    })
    ctx.ownership.invalidate()
    await handleStatus(
      ctx,
      msg(
        topicOf(A, 'status'),
        birth('s-a', { points: [{ id: LEVEL, range: { low: 0, high: 12 }, limits: { hh: 10.5, h: 9.5 } }] }),
      ),
    )
    const before = await env.store.getPoint(LEVEL, 'all')
    expect(before).toMatchObject({
      edge: A,
      limits: { hh: 10.5, h: 9.5 },
      limitsFrom: 'source',
      range: { low: 0, high: 12 },
    })

    await handleStatus(
      ctx,
      msg(
        topicOf(B, 'status'),
        birth('s-b', { edge: B, points: [{ id: LEVEL, range: { low: 0, high: 1000 }, limits: { hh: 999, h: 998 } }] }),
      ),
    )
    expect(await env.store.getPoint(LEVEL, 'all')).toMatchObject({
      edge: A,
      limits: before!.limits,
      range: before!.range,
      sourceLimits: before!.sourceLimits,
    })
    expect(ctx.metrics.ingest.refused.foreign_point).toBe(1)
    expect(await securityAlarms(B)).toHaveLength(1)

    // The store guards it too, for a caller that did not screen the birth.
    await env.store.recordBirth(
      'huaian',
      birth('s-b2', { edge: B, points: [{ id: LEVEL, range: { low: 0, high: 1000 }, limits: { hh: 999, h: 998 } }] }),
      clock.now(),
    )
    expect(await env.store.getPoint(LEVEL, 'all')).toMatchObject({
      edge: A,
      limits: before!.limits,
      range: before!.range,
    })
  })
})

describe('snapshots: linked only to a request the cloud sent to that edge', () => {
  beforeEach(() => setUp('open'))
  const jpeg = readFileSync(SNAPSHOT_FIXTURE)
  const snapshotEvent = (alarm: number, request: string): CameraEvent => ({
    id: randomUUID(),
    camera: 'shilian-cam',
    ts: T0,
    type: 'snapshot',
    alarm,
    request,
    snapshot: {
      id: randomUUID(),
      ts: T0,
      contentType: 'image/jpeg',
      bytes: jpeg.length,
      sha256: createHash('sha256').update(jpeg).digest('hex'),
      data: jpeg.toString('base64'),
    },
  })

  it("A's picture is not attached to B's alarm unless the cloud asked A for it", async () => {
    await handleData(ctx, msg(topicOf(B, 'data'), batch(1, [good(PRESSURE, T0, 5)], { edge: B })))
    const [alarm] = (await env.store.listAlarms({ scope: 'all', state: 'all', limit: 50 })).filter(
      (a) => a.point === PRESSURE,
    )
    expect(alarm).toBeDefined()

    const unasked = await handleData(
      ctx,
      msg(topicOf(A, 'data'), { ...batch(1, [good(LEVEL, T0, 7)]), events: [snapshotEvent(alarm!.id, randomUUID())] }),
    )
    expect(unasked).toMatchObject({ kind: 'stored', through: 1 })
    expect(await env.store.alarmSnapshots(alarm!.id, 'all')).toEqual([])
    expect(ctx.metrics.ingest.refused.unrequested_snapshot).toBe(1)

    // A request sent to B does not make A's answer valid; one sent to A does.
    const toB = randomUUID()
    ctx.snapshots.expect(toB, B, alarm!.id, ['shilian-cam'])
    await handleData(
      ctx,
      msg(topicOf(A, 'data'), { ...batch(2, [good(LEVEL, T0 + 1, 7)]), events: [snapshotEvent(alarm!.id, toB)] }),
    )
    expect(await env.store.alarmSnapshots(alarm!.id, 'all')).toEqual([])
    const toA = randomUUID()
    ctx.snapshots.expect(toA, A, alarm!.id, ['shilian-cam'])
    await handleData(
      ctx,
      msg(topicOf(A, 'data'), { ...batch(3, [good(LEVEL, T0 + 2, 7)]), events: [snapshotEvent(alarm!.id, toA)] }),
    )
    expect(await env.store.alarmSnapshots(alarm!.id, 'all')).toHaveLength(1)
  })
})
