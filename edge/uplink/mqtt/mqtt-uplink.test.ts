import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import mqtt, { type MqttClient } from 'mqtt'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { decodeStatus, encode } from '../../../shared/wire/codec.ts'
import type { Status } from '../../../shared/wire/messages.ts'
import { topic } from '../../../shared/wire/topics.ts'
import { waitFor } from '../../../test/util/wait.ts'
import type { Outbox } from '../../outbox/outbox.ts'
import { openSqliteOutbox } from '../../outbox/sqlite-outbox.ts'
import {
  captureLogger,
  startFakeCloud,
  startTestBroker,
  type FakeCloud,
  type TestBroker,
} from '../../../test/util/edge-support.ts'
import { startMqttUplink, type Uplink, type MqttUplinkOptions } from './mqtt-uplink.ts'

/**
 * The uplink against a REAL broker (aedes in-process, port 0) and a minimal cloud that acks the
 * highest contiguous seq. No fixed sleeps: every wait is for a condition, with a bound.
 */
const SITE = 'park'
const EDGE = 'e1'
const CLIENT_ID = 'parklink-edge-e1'
const STATUS = topic(SITE, EDGE, 'status')
const ACK = topic(SITE, EDGE, 'ack')

const sample = (i: number) => ({
  point: 'e1.tk.level',
  ts: 1_700_000_000_000 + i,
  value: i / 10,
  quality: 'good' as const,
})
const firstSeen = (seqs: number[]) => [...new Set(seqs)]

describe('mqtt uplink on a real broker', () => {
  let dir: string
  let outbox: Outbox
  let broker: TestBroker
  let cloud: FakeCloud | null
  let uplink: Uplink | null
  let clients: MqttClient[]
  let logs: ReturnType<typeof captureLogger>

  const start = (over: Partial<MqttUplinkOptions> = {}) => {
    uplink = startMqttUplink({
      url: broker.url,
      clientId: CLIENT_ID,
      site: SITE,
      edge: EDGE,
      session: 'session-1',
      configHash: 'cafe',
      points: [{ id: 'e1.tk.level', name: '储罐液位', unit: 'm', device: 'plc1' }],
      drivers: () => [{ device: 'plc1', kind: 'modbus-tcp', state: 'connected', since: 1, lastError: null }],
      outbox,
      maxInflight: 4,
      ackTimeoutMs: 300,
      heartbeatMs: 200,
      reconnectMinMs: 50,
      reconnectMaxMs: 200,
      keepaliveS: 5,
      log: logs.log,
      ...over,
    })
    return uplink
  }
  const append = (n: number) => {
    for (let i = 0; i < n; i++) outbox.append([sample(i), sample(i + 1)])
    uplink?.kick()
  }
  /** A plain MQTT client (an observer, or someone publishing junk). */
  const observer = async (subscribe?: string) => {
    const c = mqtt.connect(broker.url, { protocolVersion: 4, reconnectPeriod: 0 })
    clients.push(c)
    const seen: Array<{ status: Status; retained: boolean }> = []
    c.on('message', (_t, payload, packet) => {
      const d = decodeStatus(payload)
      if (d.ok) seen.push({ status: d.value, retained: packet.retain })
    })
    await new Promise<void>((resolve) => c.once('connect', () => resolve()))
    if (subscribe) await c.subscribeAsync(subscribe, { qos: 1 })
    return { client: c, seen }
  }
  const drained = (through: number) => () =>
    cloud!.through() === through && outbox.stats().batches === 0 && uplink!.state().ackedThrough === through

  beforeEach(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'parklink-uplink-'))
    outbox = openSqliteOutbox({ file: path.join(dir, 'outbox.db') })
    broker = await startTestBroker()
    cloud = null
    uplink = null
    clients = []
    logs = captureLogger()
  })
  afterEach(async () => {
    await uplink?.stop()
    await cloud?.stop()
    for (const c of clients) c.end(true)
    await broker.close()
    outbox.close()
    rmSync(dir, { recursive: true, force: true })
  })

  it('publishes batches in order with seq and floor, and deletes what the cloud acks', async () => {
    cloud = await startFakeCloud(broker.url)
    append(10) // a backlog from before the start
    start()
    await waitFor(drained(10), {
      message: () => `not drained: cloud ${cloud!.through()}, outbox ${JSON.stringify(outbox.stats())}`,
    })
    expect(firstSeen(cloud.batches.map((b) => b.seq))).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10])
    expect(cloud.batches[0]).toMatchObject({
      v: 1,
      edge: EDGE,
      session: 'session-1',
      seq: 1,
      floor: 1,
      samples: [sample(0), sample(1)],
    })
    for (const b of cloud.batches) expect(b.floor).toBeLessThanOrEqual(b.seq)
    expect(uplink!.state()).toMatchObject({
      connected: true,
      inflight: 0,
      ackedThrough: 10,
      lastAckAt: expect.any(Number),
    })

    append(2) // live data is sent at once, with the floor moved past what was acked
    await waitFor(drained(12))
    expect(cloud.batches.find((b) => b.seq === 11)).toMatchObject({ floor: 11 })
  })

  it("learns its clock offset from the cloud's fresh acks, not from the retained one (issue 14)", async () => {
    cloud = await startFakeCloud(broker.url)
    // A retained ack is waiting for the edge (stamped a day ahead, so the estimator would pick it): it must not count.
    const stale = await observer()
    await stale.client.publishAsync(
      ACK,
      encode({ v: 1, edge: EDGE, outbox: outbox.id, through: 0, ts: Date.now() + 86_400_000 }),
      { qos: 1, retain: true },
    )
    const HOUR = 3_600_000
    const ahead = {
      now: () => Date.now() + 2 * HOUR,
      setTimeout: (fn: () => void, ms: number) => globalThis.setTimeout(fn, ms),
      clearTimeout: (h: unknown) => globalThis.clearTimeout(h as ReturnType<typeof setTimeout>),
    }
    start({ clock: ahead as never })
    append(3)
    await waitFor(drained(3))
    // Two hours ahead, give or take the transit of an ack on this machine.
    expect(uplink!.state().clockOffsetMs).toBeGreaterThan(2 * HOUR - 60_000)
    expect(uplink!.state().clockOffsetMs).toBeLessThan(2 * HOUR + 60_000)
  })

  it('resends from the last ack when the cloud does not ack in time, never more than maxInflight ahead', async () => {
    cloud = await startFakeCloud(broker.url)
    cloud.ignoring = true
    start()
    append(10)
    await waitFor(() => cloud!.batches.filter((b) => b.seq === 1).length >= 2, { message: 'batch 1 was never resent' })
    const seen = new Set(cloud.batches.map((b) => b.seq))
    expect(seen.has(1) && [...seen].every((seq) => seq <= 4)).toBe(true)
    expect(outbox.stats().batches).toBe(10)
    // Resent three times without an ack: the link may be dead unnoticed, so a new connection.
    const births = () => cloud!.statuses.filter((st) => st.kind === 'birth').length
    const before = births()
    await waitFor(
      () => logs.lines().some((l) => /reconnecting \(the link to the broker may be dead\)/.test(String(l.msg))),
      { timeoutMs: 15_000, message: 'never reconnected after repeated ack timeouts' },
    )
    await waitFor(() => births() > before, { message: 'no birth on the new connection' })
    cloud.ignoring = false
    await waitFor(drained(10), { message: () => `not drained after the cloud came back: ${cloud!.through()}` })
    expect(logs.lines().some((l) => /resending from the last ack/.test(String(l.msg)))).toBe(true)
  })

  it('during a replay, live batches overtake the backlog, which drains in order behind them', async () => {
    cloud = await startFakeCloud(broker.url)
    append(20) // waited through an outage
    cloud.holding = (seq) => seq <= 20 // the cloud is slow to store the backlog
    start()
    await waitFor(() => uplink!.state().connected && uplink!.state().inflight === 2, {
      message: () => `backlog not in flight: ${JSON.stringify(uplink!.state())}`,
    })
    expect(uplink!.state().backlog).toBe(20)
    // Live data keeps going out, freed by selective acks, while no backlog batch is acked.
    for (let i = 0; i < 5; i++) {
      append(1)
      await waitFor(() => cloud!.batches.some((b) => b.seq === 21 + i), {
        message: `live batch ${21 + i} held back behind the backlog`,
      })
    }
    await waitFor(() => uplink!.state().inflight === 2)
    expect(outbox.stats().ackedThrough).toBe(0)
    cloud.holding = () => false
    await waitFor(drained(25), {
      timeoutMs: 15_000,
      message: () => `not drained: cloud ${cloud!.through()} ${JSON.stringify(uplink!.state())}`,
    })
    const order = firstSeen(cloud.batches.map((b) => b.seq))
    expect(order.slice(0, 7)).toEqual([1, 2, 21, 22, 23, 24, 25])
    expect(order.slice(7)).toEqual([3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20])
    expect(uplink!.state().backlog).toBe(0)
  })

  it('reconnects by itself after the broker restarts on the same port, and continues', async () => {
    cloud = await startFakeCloud(broker.url)
    start()
    append(3)
    await waitFor(drained(3))
    const port = broker.port
    await broker.close()
    await waitFor(() => !uplink!.state().connected)
    append(3) // the plant keeps producing while the park is unreachable
    await waitFor(() => uplink!.state().lastError !== null, { message: 'no error noted while the broker is down' })
    broker = await startTestBroker(port)
    await waitFor(drained(6), {
      timeoutMs: 15_000,
      message: () => `not drained after the restart: ${cloud!.through()} ${JSON.stringify(uplink!.state())}`,
    })
    expect(firstSeen(cloud.batches.map((b) => b.seq))).toEqual([1, 2, 3, 4, 5, 6])
    expect(uplink!.state().lastError).toBeNull()
  })

  it('retains its birth; the broker publishes the death when the connection drops; a new birth follows', async () => {
    cloud = await startFakeCloud(broker.url)
    append(2)
    start()
    await waitFor(() => uplink!.state().connected)
    const late = await observer(STATUS)
    const birth = await waitFor(() => late.seen.find((s) => s.status.kind === 'birth'))
    expect(birth.retained).toBe(true)
    expect(birth.status).toMatchObject({
      kind: 'birth',
      edge: EDGE,
      site: SITE,
      session: 'session-1',
      configHash: 'cafe',
      points: [{ id: 'e1.tk.level', name: '储罐液位', unit: 'm', device: 'plc1' }],
      outbox: { batches: expect.any(Number), evicted: 0 },
    })

    expect(broker.dropClient(CLIENT_ID)).toBe(true)
    const death = await waitFor(() => cloud!.statuses.findIndex((s) => s.kind === 'death') + 1)
    expect(cloud.statuses[death - 1]).toEqual({ v: 1, kind: 'death', edge: EDGE, session: 'session-1' })
    await waitFor(() => cloud!.statuses.slice(death).some((s) => s.kind === 'birth'), {
      message: 'no new birth after the reconnect',
    })
  })

  it('sends a retained state heartbeat with outbox depth and driver health', async () => {
    cloud = await startFakeCloud(broker.url)
    start()
    const state = await waitFor(() => cloud!.statuses.find((s) => s.kind === 'state'))
    expect(state).toMatchObject({
      kind: 'state',
      session: 'session-1',
      outbox: { samples: 0 },
      drivers: [{ device: 'plc1', state: 'connected' }],
    })
  })

  it('says goodbye with a retained death carrying ts on stop', async () => {
    start()
    await waitFor(() => uplink!.state().connected)
    await uplink!.stop()
    const late = await observer(STATUS)
    const death = await waitFor(() => late.seen.find((s) => s.status.kind === 'death'))
    expect(death).toMatchObject({
      retained: true,
      status: { kind: 'death', session: 'session-1', ts: expect.any(Number) },
    })
    expect(uplink!.state().connected).toBe(false)
  })

  it('logs and ignores invalid acks, acks of other edges, of other outboxes and beyond the last seq', async () => {
    start()
    append(3) // backlog when the connection comes up: half the window (2 of 4) is in flight
    await waitFor(() => uplink!.state().inflight === 2)
    const { client } = await observer()
    const ours = outbox.id
    await client.publishAsync(ACK, 'not json', { qos: 1 })
    await client.publishAsync(ACK, JSON.stringify({ v: 1, edge: EDGE, outbox: ours, through: -1, ts: 0 }), { qos: 1 })
    await client.publishAsync(ACK, encode({ v: 1, edge: 'someone-else', outbox: ours, through: 2, ts: 0 }), { qos: 1 })
    // A (retained) ack of an earlier outbox file of this edge deletes nothing of this one.
    await client.publishAsync(ACK, encode({ v: 1, edge: EDGE, outbox: 'an-older-outbox', through: 3, ts: 0 }), {
      qos: 1,
      retain: true,
    })
    await client.publishAsync(ACK, encode({ v: 1, edge: EDGE, outbox: ours, through: 99, ts: 0 }), { qos: 1 })
    await client.publishAsync(ACK, encode({ v: 1, edge: EDGE, outbox: ours, through: 1, ts: 0 }), { qos: 1 })
    await waitFor(() => uplink!.state().ackedThrough === 1)
    expect(outbox.peek(0, 10).map((b) => b.seq)).toEqual([2, 3])
    const messages = logs.lines().map((l) => String(l.msg))
    expect(messages.filter((m) => m === 'invalid ack ignored')).toHaveLength(2)
    expect(messages).toContain('ack for another edge ignored')
    expect(messages).toContain('ack for another outbox of this edge ignored')
    expect(messages.some((m) => /never assigned/.test(m))).toBe(true)
  })

  it('announces its birth again when a late will of its own session shows up', async () => {
    cloud = await startFakeCloud(broker.url)
    start()
    await waitFor(() => cloud!.statuses.some((s) => s.kind === 'birth'))
    const { client } = await observer()
    await client.publishAsync(STATUS, encode({ v: 1, kind: 'death', edge: EDGE, session: 'session-1' }), {
      qos: 1,
      retain: true,
    })
    await waitFor(
      () => {
        const i = cloud!.statuses.findIndex((s) => s.kind === 'death')
        return i >= 0 && cloud!.statuses.slice(i + 1).some((s) => s.kind === 'birth')
      },
      { message: 'no birth after the late will' },
    )
  })

  it('keeps retrying a broker that refuses it, without ever logging the password', async () => {
    await broker.close()
    broker = await startTestBroker(0, { authenticate: (user, password) => user === 'e1' && password === 'right' })
    start({ username: 'e1', password: 'hunter2-wrong' })
    await waitFor(() => logs.lines().filter((l) => l.msg === 'uplink reconnect scheduled').length >= 3, {
      message: 'not retrying',
    })
    expect(uplink!.state()).toMatchObject({ connected: false, lastError: expect.stringMatching(/authori[sz]ed/i) })
    expect(logs.text()).not.toContain('hunter2')
  })
})
