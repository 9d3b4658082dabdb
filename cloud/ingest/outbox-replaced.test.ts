import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { systemClock } from '../../shared/clock.ts'
import type { Outbox } from '../../edge/outbox/outbox.ts'
import { openSqliteOutbox } from '../../edge/outbox/sqlite-outbox.ts'
import { captureLogger as edgeLogger } from '../../test/util/edge-support.ts'
import { startMqttUplink, type Uplink } from '../../edge/uplink/mqtt/mqtt-uplink.ts'
import { captureLogger, openOwnership, signedIn, tempStore, testAuth, testKey } from '../../test/cloud/helpers.ts'
import { createMosquitto, type Mosquitto } from '../../test/util/mosquitto.ts'
import { freePort } from '../../test/util/ports.ts'
import { waitFor } from '../../test/util/wait.ts'
import { createApp } from '../api/app.ts'
import { createMetrics } from '../metrics.ts'
import { AckTracker } from './ack-tracker.ts'
import { startMqttIngest, type Ingest } from './mqtt/mqtt-ingest.ts'

/**
 * An edge's outbox file replaced under a running cloud, on real parts: Debian's mosquitto, the
 * real edge outbox and uplink, the real cloud ingest, store and API. The new file numbers from 1
 * again, below the old outbox's mark; the broker still holds the cloud's retained ack of the old
 * outbox (through 5), which the new outbox's first connection receives at once.
 */
const SITE = 'huaian'
const EDGE = 'shilian-01'
const POINT = 'shilian.tk101.level'
const T0 = 1_700_000_000_000
const sample = (i: number) => ({ point: POINT, ts: T0 + i * 1000, value: 7 + i / 100, quality: 'good' as const })

describe('an outbox replaced under a running cloud', () => {
  let dir: string
  let mosquitto: Mosquitto
  let env: Awaited<ReturnType<typeof tempStore>>
  let tracker: AckTracker
  let metrics: ReturnType<typeof createMetrics>
  let ingest: Ingest
  let uplink: Uplink | null = null
  let outbox: Outbox | null = null
  let edgeLogs = edgeLogger()

  const startEdge = (o: Outbox) => {
    uplink = startMqttUplink({
      url: `mqtt://127.0.0.1:${mosquitto.port}`,
      clientId: 'edge-replaced-test',
      site: SITE,
      edge: EDGE,
      session: `s-${o.id.slice(0, 8)}`,
      configHash: 'cfg',
      points: [],
      drivers: () => [],
      outbox: o,
      maxInflight: 16,
      ackTimeoutMs: 5_000,
      heartbeatMs: 60_000,
      reconnectMinMs: 50,
      reconnectMaxMs: 200,
      log: edgeLogs.log,
    })
  }
  const stopEdge = async () => {
    await uplink?.stop()
    uplink = null
    outbox?.close()
    outbox = null
  }

  beforeEach(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'parklink-outbox-replaced-'))
    edgeLogs = edgeLogger()
    mosquitto = createMosquitto(await freePort())
    await mosquitto.start()
    env = await tempStore()
    tracker = new AckTracker()
    metrics = createMetrics(Date.now())
    ingest = startMqttIngest({
      url: `mqtt://127.0.0.1:${mosquitto.port}`,
      clientId: 'cloud-replaced-test',
      reconnectPeriodMs: 100,
      keepaliveS: 30,
      store: env.store,
      tracker,
      clock: systemClock,
      metrics,
      log: captureLogger().log,
      ownership: openOwnership(env.store),
    })
    await waitFor(() => metrics.mqtt.connected, { message: 'ingest never subscribed' })
  })
  afterEach(async () => {
    await stopEdge()
    await ingest.stop()
    await mosquitto.dispose()
    await env.dispose()
    rmSync(dir, { recursive: true, force: true })
  })

  it("yields a gap record, loses and refuses none of the new data, and the old outbox's retained ack deletes nothing", async () => {
    const file = path.join(dir, 'outbox.db')
    // The first outbox: 5 batches delivered and acked (the broker keeps that ack, retained), 2 never sent.
    outbox = openSqliteOutbox({ file })
    const oldId = outbox.id
    startEdge(outbox)
    for (let i = 1; i <= 5; i++) outbox.append([sample(i)])
    uplink!.kick()
    await waitFor(() => tracker.through(EDGE, oldId) === 5 && outbox!.stats().ackedThrough === 5, {
      message: 'the first outbox was never acked through 5',
    })
    await uplink!.stop()
    uplink = null
    for (let i = 6; i <= 7; i++) outbox.append([sample(i)])
    outbox.close()
    for (const suffix of ['', '-wal', '-shm']) rmSync(file + suffix, { force: true })

    // A new file, written before the uplink connects: seqs 1..6 again, all below or at the old mark.
    outbox = openSqliteOutbox({ file })
    const newId = outbox.id
    expect(newId).not.toBe(oldId)
    const deleted: number[] = []
    const assigned: number[] = []
    for (let i = 101; i <= 106; i++) assigned.push(outbox.append([sample(i)]))
    expect(assigned).toEqual([1, 2, 3, 4, 5, 6])
    // Every deletion must follow a cloud ack of the NEW outbox through that seq.
    const watched: Outbox = {
      ...outbox,
      ackThrough: (seq) => (deleted.push(seq - tracker.through(EDGE, newId)), outbox!.ackThrough(seq)),
    }
    startEdge(watched)
    uplink!.kick()
    await waitFor(() => tracker.through(EDGE, newId) === 6 && outbox!.stats().batches === 0, {
      timeoutMs: 15_000,
      message: () =>
        `the new outbox was never acked through 6 (through ${tracker.through(EDGE, newId)}, held ${outbox!.stats().batches})`,
    })

    expect(deleted.filter((ahead) => ahead > 0)).toEqual([])
    expect(edgeLogs.lines().map((l) => l.msg)).toContain('ack for another outbox of this edge ignored')
    const stored = (await env.store.history(POINT, { from: T0, to: T0 + 1_000_000, limit: 100 }, 'all')).map(
      (s) => (s.ts - T0) / 1000,
    )
    expect(stored).toEqual([1, 2, 3, 4, 5, 101, 102, 103, 104, 105, 106])
    expect(metrics.ingest).toMatchObject({ batches: 11, duplicates: 0, rejected: { seq_conflict: 0 } })

    const auth = testAuth(env.store, systemClock)
    const api = signedIn(
      createApp({ store: env.store, clock: systemClock, metrics, log: captureLogger().log, ...auth }),
      await testKey(auth.accounts),
    )
    const gaps = (await (await api.request(`/api/v1/gaps?edge=${EDGE}`)).json()) as unknown[]
    expect(gaps).toEqual([
      expect.objectContaining({
        reason: 'outbox_replaced',
        oldOutbox: oldId,
        newOutbox: newId,
        lastSeq: 5,
        lastTs: sample(5).ts,
        samples: null,
        points: 'all',
      }),
    ])
  }, 60_000)
})
