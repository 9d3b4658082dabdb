import mqtt, { type MqttClient } from 'mqtt'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { AckTracker } from '../../cloud/ingest/ack-tracker.ts'
import { startIngestWire } from '../../cloud/ingest/crypto.ts'
import { startMqttIngest, type Ingest } from '../../cloud/ingest/mqtt/mqtt-ingest.ts'
import { createMetrics, type CloudMetrics } from '../../cloud/metrics.ts'
import type { Outbox } from '../../edge/outbox/outbox.ts'
import { openSqliteOutbox } from '../../edge/outbox/sqlite-outbox.ts'
import { startEdgeWire } from '../../edge/uplink/crypto.ts'
import { startMqttUplink, type Uplink } from '../../edge/uplink/mqtt/mqtt-uplink.ts'
import { systemClock } from '../../shared/clock.ts'
import { ReplayGuard } from '../../shared/crypto/replay.ts'
import { createSealer } from '../../shared/crypto/sealer.ts'
import type { CryptoConfig } from '../../shared/crypto/suite.ts'
import { encode } from '../../shared/wire/codec.ts'
import { topic } from '../../shared/wire/topics.ts'
import { captureLogger, openOwnership, tempStore } from '../cloud/helpers.ts'
import { makeTestPki, type TestPki } from '../util/crypto-pki.ts'
import { createMosquitto, type Mosquitto } from '../util/mosquitto.ts'
import { freePort } from '../util/ports.ts'
import { waitFor } from '../util/wait.ts'

/**
 * Issue 20's application layer on a real Mosquitto (anonymous: the ACL lets anyone publish, so
 * only the signatures stand between an attacker and the edge's outbox or the cloud's store):
 * a forged ack deletes nothing, a replayed batch and a batch signed with another edge's key are
 * refused and counted, and the good traffic keeps flowing.
 */
const SITE = 'huaian'
const EDGE = 'edge-01'
const ID = `${SITE}/${EDGE}`
const DATA = topic(SITE, EDGE, 'data')
const ACK = topic(SITE, EDGE, 'ack')

describe('signed messages between a real edge uplink and the real ingest (crypto.suite sm, encrypted)', () => {
  let pki: TestPki
  let broker: Mosquitto
  let url: string
  let dir: string
  let env: Awaited<ReturnType<typeof tempStore>>
  let outbox: Outbox
  let uplink: Uplink
  let ingest: Ingest | null = null
  let metrics: CloudMetrics
  const clients: MqttClient[] = []
  const tracker = new AckTracker()
  const logs = captureLogger()
  const log = logs.log

  const filesOf = (kind: 'edge' | 'cloud', name: string): CryptoConfig => {
    const d = pki.dirOf(kind, name)
    return { suite: 'sm', encrypt: true, key: `${d}/sm2.key`, cert: `${d}/sm2.crt`, ca: `${d}/sm2-ca.crt` }
  }
  const startCloud = async () => {
    const wire = startIngestWire({
      crypto: filesOf('cloud', 'parklink-cloud'),
      tls: undefined,
      dataDir: dir,
      clock: systemClock,
      log,
    })
    ingest = startMqttIngest({
      wire,
      url,
      clientId: 'parklink-cloud',
      reconnectPeriodMs: 100,
      keepaliveS: 30,
      store: env.store,
      tracker,
      clock: systemClock,
      metrics,
      log,
      ownership: openOwnership(env.store),
    })
    await waitFor(() => metrics.mqtt.connected, { message: 'ingest never subscribed' })
  }
  const append = (n: number) => {
    for (let i = 0; i < n; i++)
      outbox.append([{ point: 'edge-01.tk.level', ts: Date.now() + i, value: i, quality: 'good' as const }])
    uplink.kick()
  }
  const allAcked = () => outbox.stats().ackedThrough === outbox.stats().lastSeq
  const attacker = async () => {
    const c = await mqtt.connectAsync(url, {
      protocolVersion: 4,
      reconnectPeriod: 0,
      clientId: `attacker-${clients.length}`,
    })
    clients.push(c)
    return c
  }

  beforeAll(async () => {
    pki = makeTestPki()
    const port = await freePort()
    broker = createMosquitto(port)
    await broker.start()
    url = `mqtt://127.0.0.1:${port}`
    dir = mkdtempSync(path.join(tmpdir(), 'parklink-app-crypto-'))
    env = await tempStore()
    metrics = createMetrics(Date.now())
    outbox = openSqliteOutbox({ file: path.join(dir, 'outbox.db') })
    await startCloud()
    const edgeWire = startEdgeWire({
      crypto: filesOf('edge', ID),
      tls: undefined,
      site: SITE,
      edge: EDGE,
      dataDir: dir,
      clock: systemClock,
      log,
    })
    uplink = startMqttUplink({
      wire: edgeWire.wire,
      url,
      clientId: 'parklink-edge-01',
      site: SITE,
      edge: EDGE,
      session: 's1',
      configHash: 'cfg',
      points: [{ id: 'edge-01.tk.level' }],
      drivers: () => [],
      outbox,
      maxInflight: 4,
      ackTimeoutMs: 500,
      heartbeatMs: 500,
      reconnectMinMs: 50,
      reconnectMaxMs: 200,
      log,
    })
  }, 60_000)
  afterAll(async () => {
    if (process.env.DEBUG_CRYPTO)
      console.log(
        logs
          .lines()
          .filter((l) => Number(l.level) >= 40)
          .slice(0, 20),
      )
    for (const c of clients) await c.endAsync(true)
    await uplink?.stop()
    await ingest?.stop()
    outbox?.close()
    await env?.dispose()
    await broker?.dispose()
    pki?.dispose()
    rmSync(dir, { recursive: true, force: true })
  })

  it('delivers signed, encrypted batches: stored, acked, deleted from the outbox', async () => {
    append(5)
    await waitFor(allAcked, { timeoutMs: 15_000, message: () => `not acked: ${JSON.stringify(outbox.stats())}` })
    expect(metrics.ingest.batches).toBeGreaterThanOrEqual(5)
    expect(uplink.state().crypto?.suite).toBe('sm')
  })

  it('a forged ack (plain, or signed by another edge of the park) deletes nothing, and is counted at the edge', async () => {
    await ingest!.stop() // the cloud away: what is appended now stays unacked
    ingest = null
    append(3)
    await waitFor(() => uplink.state().inflight > 0 || outbox.stats().lastSeq > outbox.stats().ackedThrough)
    const held = outbox.stats()
    expect(held.ackedThrough).toBeLessThan(held.lastSeq)
    const forged = { v: 1 as const, edge: EDGE, outbox: outbox.id, through: held.lastSeq, ts: Date.now() }
    const a = await attacker()
    // Plain JSON, as before issue 20.
    await a.publishAsync(ACK, encode(forged), { qos: 1 })
    // Signed by another edge of the park (a valid certificate, but not the cloud's).
    const m = pki.material('edge', `${SITE}/edge-02`, 'sm')
    let ctr = Date.now() * 1000
    const edgeTwo = createSealer({
      suite: 'sm',
      identity: `${SITE}/edge-02`,
      key: m.key,
      cert: m.cert,
      ca: m.ca,
      now: Date.now,
      counter: () => ++ctr,
      guard: new ReplayGuard(),
    })
    await a.publishAsync(ACK, edgeTwo.seal(ACK, encode(forged), { withCert: true }), { qos: 1 })
    await waitFor(
      () => {
        const r = uplink.state().crypto?.refused
        return r !== undefined && r.unsigned >= 1 && r.wrong_signer >= 1
      },
      { message: () => `not counted: ${JSON.stringify(uplink.state().crypto)}` },
    )
    expect(outbox.stats().ackedThrough).toBe(held.ackedThrough)
    expect(outbox.stats().batches).toBe(held.batches)

    await startCloud()
    await waitFor(allAcked, {
      timeoutMs: 15_000,
      message: () => `not acked after the cloud came back: ${JSON.stringify(outbox.stats())}`,
    })
  })

  it('refuses a replayed batch and a batch signed with another edge key, counts them, and good batches still flow', async () => {
    const spy = await attacker()
    const captured: Buffer[] = []
    spy.on('message', (_t, payload) => captured.push(Buffer.from(payload)))
    await spy.subscribeAsync(DATA, { qos: 1 })
    append(2)
    await waitFor(() => captured.length > 0 && allAcked(), { timeoutMs: 15_000 })
    const before = { ...metrics.crypto.refused }
    const stored = metrics.ingest.batches
    await spy.publishAsync(DATA, captured[0]!, { qos: 1 })
    await waitFor(() => metrics.crypto.refused.replayed > before.replayed, { message: 'the replay was not counted' })

    const m = pki.material('edge', `${SITE}/edge-02`, 'sm')
    let ctr = Date.now() * 1000
    const edgeTwo = createSealer({
      suite: 'sm',
      identity: `${SITE}/edge-02`,
      key: m.key,
      cert: m.cert,
      ca: m.ca,
      now: Date.now,
      counter: () => ++ctr,
      guard: new ReplayGuard(),
    })
    const fake = {
      v: 1,
      edge: EDGE,
      session: 'x',
      outbox: outbox.id,
      seq: 999_999_999,
      floor: 1,
      samples: [{ point: 'edge-01.tk.level', ts: Date.now(), value: 42, quality: 'good' }],
    }
    await spy.publishAsync(DATA, edgeTwo.seal(DATA, encode(fake as never), { withCert: true }), { qos: 1 })
    await waitFor(() => metrics.crypto.refused.wrong_signer > before.wrong_signer, {
      message: 'the foreign signature was not counted',
    })
    expect(metrics.ingest.batches).toBe(stored)

    append(3)
    await waitFor(allAcked, { timeoutMs: 15_000, message: 'good batches stopped flowing' })
    expect(metrics.ingest.batches).toBe(stored + 3)
    // The security event: a SECURITY alarm on the edge.
    const security = await env.store.listAlarms({ scope: 'all', state: 'all', limit: 50 })
    expect(security.filter((a) => a.point === `edge:${EDGE}` && a.kind === 'SECURITY').length).toBeGreaterThan(0)
  })
})
