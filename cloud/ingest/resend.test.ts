import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { startEmbeddedBroker, type EmbeddedBroker } from '../../deploy/demo/broker.ts'
import { systemClock } from '../../shared/clock.ts'
import { decodeData } from '../../shared/wire/codec.ts'
import type { Outbox } from '../../edge/outbox/outbox.ts'
import { openSqliteOutbox } from '../../edge/outbox/sqlite-outbox.ts'
import { captureLogger as edgeLogger } from '../../test/util/edge-support.ts'
import { startMqttUplink, type Uplink } from '../../edge/uplink/mqtt/mqtt-uplink.ts'
import { captureLogger, openOwnership, tempStore } from '../../test/cloud/helpers.ts'
import { waitFor } from '../../test/util/wait.ts'
import { createMetrics } from '../metrics.ts'
import { AckTracker } from './ack-tracker.ts'
import { startMqttIngest, type Ingest } from './mqtt/mqtt-ingest.ts'

/**
 * The command channel end to end: real broker (aedes, which can drop one forwarded message),
 * the real edge uplink and outbox, the real cloud ingest and store. A batch lost between the
 * broker and the cloud leaves a hole the edge's own ack timeout would take long to notice; the
 * cloud asks for the range and the edge answers from its outbox.
 */
const SITE = 'huaian'
const EDGE = 'shilian-01'
const T0 = 1_700_000_000_000
const sample = (i: number) => ({
  point: 'shilian.tk101.level',
  ts: T0 + i * 1000,
  value: 7 + i / 100,
  quality: 'good' as const,
})

type Publish = (packet: { topic: string; payload: unknown }, client: unknown, done: (err: Error | null) => void) => void

/** The broker acks a data batch to the edge and forwards it to nobody when `drop(seq)` says so (as a broker restart without persistence loses what it held). */
function dropData(broker: EmbeddedBroker, drop: (seq: number) => boolean): void {
  const publish = (broker.aedes.publish as unknown as Publish).bind(broker.aedes)
  const lossy: Publish = (packet, client, done) => {
    const d = packet.topic.endsWith('/data') ? decodeData(packet.payload as Buffer) : null
    if (d?.ok && drop(d.value.seq)) return done(null)
    publish(packet, client, done)
  }
  broker.aedes.publish = lossy as unknown as typeof broker.aedes.publish
}

describe('command channel and sequence-hole resend', () => {
  let dir: string
  let broker: EmbeddedBroker
  let env: Awaited<ReturnType<typeof tempStore>>
  let outbox: Outbox
  let uplink: Uplink | null
  let ingest: Ingest
  let metrics: ReturnType<typeof createMetrics>
  let edgeLogs = edgeLogger()

  let tracker: AckTracker
  const startEdge = (ackTimeoutMs: number, replayInflight?: number) => {
    uplink = startMqttUplink({
      url: broker.url,
      clientId: 'edge-resend-test',
      site: SITE,
      edge: EDGE,
      session: 's-1',
      configHash: 'cfg',
      points: [],
      drivers: () => [],
      outbox,
      maxInflight: 16,
      ...(replayInflight === undefined ? {} : { replayInflight }),
      ackTimeoutMs,
      heartbeatMs: 60_000,
      reconnectMinMs: 50,
      reconnectMaxMs: 200,
      log: edgeLogs.log,
    })
    return uplink
  }

  beforeEach(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'parklink-resend-'))
    edgeLogs = edgeLogger()
    broker = await startEmbeddedBroker(0)
    env = await tempStore()
    tracker = new AckTracker()
    metrics = createMetrics(Date.now())
    ingest = startMqttIngest({
      url: broker.url,
      clientId: 'cloud-resend-test',
      reconnectPeriodMs: 100,
      keepaliveS: 30,
      store: env.store,
      tracker,
      clock: systemClock,
      metrics,
      log: captureLogger().log,
      ownership: openOwnership(env.store),
      resend: { afterMs: 200, retryMs: 1_000, checkMs: 50 },
    })
    await waitFor(() => metrics.mqtt.connected, { message: 'ingest never subscribed' })
    uplink = null
  })
  afterEach(async () => {
    await uplink?.stop()
    await ingest.stop()
    await broker.close()
    outbox.close()
    await env.dispose()
    rmSync(dir, { recursive: true, force: true })
  })

  it("a batch lost on its way to the cloud is asked for and resent from the outbox, long before the edge's ack timeout", async () => {
    outbox = openSqliteOutbox({ file: path.join(dir, 'outbox.db') })
    // The broker "loses" batch 3 once: it acks it to the edge and forwards it to nobody (as a
    // broker restart without persistence does with what it held).
    let seen3 = 0
    dropData(broker, (seq) => seq === 3 && seen3++ === 0)
    startEdge(120_000) // the edge alone would wait two minutes before resending
    for (let i = 1; i <= 5; i++) outbox.append([sample(i)])
    uplink!.kick()
    await waitFor(() => tracker.through(EDGE) === 5, {
      timeoutMs: 10_000,
      message: () => `never contiguous through 5 (through ${tracker.through(EDGE)}, pending ${tracker.pending(EDGE)})`,
    })
    expect(seen3).toBe(2) // the lost one, and the resend
    expect(edgeLogs.lines().find((l) => l.msg === 'command answered')).toMatchObject({
      cmd: 'resend',
      ok: true,
      resent: 1,
    })
    expect(
      (await env.store.history(sample(1).point, { from: 0, to: T0 + 10_000, limit: 10 }, 'all')).map((s) => s.ts),
    ).toEqual([1, 2, 3, 4, 5].map((i) => sample(i).ts))
    expect(metrics.ingest).toMatchObject({ batches: 5, duplicates: 0 })
  })

  it('a hole that is the backlog the edge is still draining is not published at once: only the lost batch is, the rest follows paced', async () => {
    outbox = openSqliteOutbox({ file: path.join(dir, 'outbox.db') })
    // Written during an outage: the backlog drains one batch at a time behind live data.
    for (let i = 1; i <= 6; i++) outbox.append([sample(i)])
    const forwarded: number[] = []
    // Batch 1 is lost once: the mark stays below the live batch, a hole of the whole backlog.
    let lost = false
    dropData(broker, (seq) => {
      if (seq === 1 && !lost) return (lost = true)
      forwarded.push(seq)
      return false
    })
    startEdge(120_000, 1)
    await waitFor(() => uplink!.state().connected, { message: 'edge never connected' })
    outbox.append([sample(7)]) // live: stored above the hole
    uplink!.kick()
    await waitFor(() => tracker.through(EDGE) === 7, {
      timeoutMs: 10_000,
      message: () => `never contiguous through 7 (through ${tracker.through(EDGE)}, pending ${tracker.pending(EDGE)})`,
    })
    // The cloud asked for 1–6; the edge published again only the batch it had sent (1), and left
    // 2–6, which it had not sent yet, to its window: each went out once, in order.
    expect(edgeLogs.lines().find((l) => l.msg === 'command answered')).toMatchObject({
      cmd: 'resend',
      resent: 1,
      queued: 5,
    })
    expect(forwarded.filter((s) => s >= 2 && s <= 6)).toEqual([2, 3, 4, 5, 6])
    expect(metrics.ingest).toMatchObject({ batches: 7, duplicates: 0 })
  })

  it('answers ping and status, and a resend of a range it dropped with the gap record, which the cloud stores', async () => {
    outbox = openSqliteOutbox({ file: path.join(dir, 'outbox.db'), maxBytes: 1 }) // every append evicts the one before
    startEdge(5_000)
    for (let i = 1; i <= 4; i++) outbox.append([sample(i)])
    uplink!.kick()
    await waitFor(() => tracker.through(EDGE) === 4, { message: 'batch 4 never acked' })
    expect(await ingest.commands.request(SITE, EDGE, { type: 'ping' })).toMatchObject({
      ok: true,
      edge: EDGE,
      result: { type: 'pong', session: 's-1' },
    })
    expect(await ingest.commands.request(SITE, EDGE, { type: 'status' })).toMatchObject({
      ok: true,
      result: { type: 'status', lastSeq: 4, ackedThrough: 4, outbox: { evicted: 3 } },
    })
    const answer = await ingest.commands.request(SITE, EDGE, { type: 'resend', fromSeq: 1, toSeq: 3 })
    expect(answer.result).toMatchObject({
      type: 'resend',
      resent: [],
      alreadyAcked: 3,
      gaps: [{ reason: 'cap', fromSeq: 1, throughSeq: 3, samples: 3 }],
    })
    expect(await env.store.listGaps({ edge: EDGE, limit: 10 })).toMatchObject([
      { fromSeq: 1, throughSeq: 3, samples: 3, points: [sample(1).point] },
    ])
    await expect(ingest.commands.request(SITE, 'absent-edge', { type: 'ping' }, 300)).rejects.toThrow(
      /no answer from edge absent-edge/,
    )
  })
})
