import net from 'node:net'
import path from 'node:path'
import Database from 'better-sqlite3'
import { startEmbeddedBroker } from '../deploy/demo/broker.ts'
import mqtt, { type MqttClient } from 'mqtt'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { decodeAck, encode } from '../shared/wire/codec.ts'
import type { Ack } from '../shared/wire/messages.ts'
import { LEVEL, batch, birth, good, registry, storeKey, tempDir, waitFor } from '../test/cloud/helpers.ts'
import { CloudConfigSchema, type CloudConfig } from './config.ts'
import { createLogger } from './log.ts'
import { type RunningCloud, startCloud } from './service.ts'
import { startTestCloud } from '../test/util/test-cloud.ts'
import { freePort } from '../test/util/ports.ts'
import { onPostgres, withTestEngine } from '../test/util/test-store.ts'

const startBroker = (port = 0) => startEmbeddedBroker(port)

const SITE = 'huaian'
const EDGE = 'shilian-01'
const topicOf = (channel: string) => `parklink/v1/${SITE}/${EDGE}/${channel}`

function configFor(dataDir: string, brokerUrl: string): CloudConfig {
  return CloudConfigSchema.parse({
    dataDir,
    http: { host: '127.0.0.1', port: 0 },
    mqtt: { url: brokerUrl, clientId: `cloud-it-${process.pid}`, reconnectPeriodMs: 200 },
    log: { level: 'silent' },
    registry,
  })
}

/** GET with an API key of the running cloud (made on first use). */
const keys = new WeakMap<RunningCloud, string>()
async function api(cloud: RunningCloud, path: string): Promise<any> {
  if (!keys.has(cloud)) keys.set(cloud, await storeKey(cloud.store))
  const res = await fetch(`${cloud.url}${path}`, { headers: { authorization: `Bearer ${keys.get(cloud)}` } })
  if (!res.ok) throw new Error(`${path}: HTTP ${res.status}`)
  return res.json()
}

/** The retained ack as a NEW subscriber sees it (what a reconnecting edge gets at once). */
async function retainedAck(brokerUrl: string): Promise<{ ack: Ack; retained: boolean }> {
  const client = await mqtt.connectAsync(brokerUrl, { protocolVersion: 4, reconnectPeriod: 0 })
  try {
    const got = new Promise<{ ack: Ack; retained: boolean }>((resolve, reject) => {
      client.on('message', (_topic, payload, packet) => {
        const decoded = decodeAck(payload)
        if (decoded.ok) resolve({ ack: decoded.value, retained: packet.retain })
        else reject(new Error(decoded.error))
      })
    })
    await client.subscribeAsync(topicOf('ack'), { qos: 1 })
    return await got
  } finally {
    await client.endAsync()
  }
}

describe('cloud service (aedes broker, real HTTP, real SQLite)', () => {
  let broker: Awaited<ReturnType<typeof startBroker>>
  let dir: ReturnType<typeof tempDir>
  let edge: MqttClient | null = null
  let cloud: RunningCloud | null = null

  beforeEach(async () => {
    broker = await startBroker()
    dir = tempDir()
  })
  afterEach(async () => {
    await edge?.endAsync()
    edge = null
    await cloud?.stop()
    cloud = null
    await broker.close()
    dir.remove()
  })

  const start = async () => {
    cloud = await startTestCloud(configFor(dir.dir, broker.url), { log: createLogger({ level: 'silent' }) })
    const running = cloud
    await waitFor('cloud subscribed', async () => (await api(running, '/api/v1/health')).mqtt === 'connected')
    return running
  }
  const send = async (channel: 'data' | 'status', message: Parameters<typeof encode>[0], retain = false) => {
    await edge!.publishAsync(topicOf(channel), encode(message), { qos: 1, retain })
  }

  it('ingests birth and batches: latest values, an HH alarm raised and recovered, the ack retained', async () => {
    const running = await start()
    edge = await mqtt.connectAsync(broker.url, { clientId: 'edge-under-test', protocolVersion: 4 })
    const t = Date.now()

    await send('status', birth('s-1', { ts: t }), true)
    await send('data', batch(1, [good(LEVEL, t + 1, 7.25)]))
    await waitFor('latest value', async () => (await api(running, `/api/v1/points/${LEVEL}`)).latest?.value === 7.25)
    const edges = await api(running, '/api/v1/edges')
    expect(edges).toMatchObject([
      { id: EDGE, site: SITE, online: true, session: 's-1', configHash: 'cfg-1', ackedThrough: 1 },
    ])

    await send('data', batch(2, [good(LEVEL, t + 2, 10.9)]))
    const raised = await waitFor('HH alarm', async () => {
      const list = await api(running, '/api/v1/alarms')
      return list.length === 2 ? list : undefined
    })
    expect(raised.map((a: any) => [a.kind, a.priority, a.state, a.value])).toEqual([
      ['HH', 'S', 'active', 10.9],
      ['H', 'A', 'active', 10.9],
    ])

    // Garbage on the data topic: counted, never stored, never acked.
    await edge.publishAsync(topicOf('data'), Buffer.from('{"v":1,"edge":"shilian-01"'), { qos: 1 })
    await waitFor('rejection counted', async () => (await api(running, '/api/v1/health')).ingest.rejected === 1)

    await send('data', batch(3, [good(LEVEL, t + 3, 8.0)]))
    await waitFor('alarms recovered', async () => (await api(running, '/api/v1/alarms')).length === 0)
    const all = await api(running, '/api/v1/alarms?state=all')
    expect(all.map((a: any) => [a.kind, a.state, a.recoveredAt, a.recoveredValue])).toEqual([
      ['HH', 'recovered', t + 3, 8],
      ['H', 'recovered', t + 3, 8],
    ])

    // The ack is published once the batch is stored: a moment after the alarms show it.
    const { ack, retained } = await waitFor('retained ack through 3', async () => {
      const r = await retainedAck(broker.url)
      return r.ack.through === 3 ? r : undefined
    })
    expect(retained).toBe(true)
    expect(ack).toMatchObject({ v: 1, edge: EDGE, through: 3 })
    expect((await api(running, '/api/v1/health')).ingest).toMatchObject({
      batches: 3,
      samples: 3,
      duplicates: 0,
      rejected: 1,
    })
  })

  it('after a restart it continues from the stored ack mark, and acks resends of stored batches', async () => {
    let running = await start()
    edge = await mqtt.connectAsync(broker.url, { clientId: 'edge-under-test', protocolVersion: 4 })
    const t = Date.now()
    for (const seq of [1, 2, 3]) await send('data', batch(seq, [good(LEVEL, t + seq, 5)]))
    await waitFor('acked through 3', async () => (await api(running, '/api/v1/edges'))[0]?.ackedThrough === 3)
    await running.stop()
    await running.stop() // idempotent

    running = await start()
    // seq 5 before 4: the mark waits for the hole, then passes both.
    await send('data', batch(5, [good(LEVEL, t + 5, 5)]))
    await send('data', batch(2, [good(LEVEL, t + 2, 5)])) // a resend: duplicate, acked again
    await waitFor('duplicate counted', async () => (await api(running, '/api/v1/health')).ingest.duplicates === 1)
    expect((await retainedAck(broker.url)).ack.through).toBe(3)
    await send('data', batch(4, [good(LEVEL, t + 4, 5)]))
    await waitFor('acked through 5', async () => (await retainedAck(broker.url)).ack.through === 5)
    const history = await api(running, `/api/v1/points/${LEVEL}/history?from=${t}&to=${t + 10}`)
    expect(history.samples.map((s: any) => s.ts - t)).toEqual([1, 2, 3, 4, 5])
  })

  it('serves the API while the broker is down, and connects once the broker comes up', async () => {
    // The broker's port, with nothing listening on it.
    const { port } = broker
    await broker.close()
    cloud = await startTestCloud(configFor(dir.dir, `mqtt://127.0.0.1:${port}`), {
      log: createLogger({ level: 'silent' }),
    })
    const running = cloud
    expect(await api(running, '/api/v1/health')).toMatchObject({ status: 'degraded', db: 'ok', mqtt: 'disconnected' })
    expect((await api(running, '/api/v1/points')).length).toBe(registry.points.length)

    broker = await startBroker(port)
    await waitFor('reconnected', async () => (await api(running, '/api/v1/health')).mqtt === 'connected')
    edge = await mqtt.connectAsync(broker.url, { clientId: 'edge-under-test', protocolVersion: 4 })
    await send('data', batch(1, [good(LEVEL, Date.now(), 6.5)]))
    await waitFor(
      'stored after reconnect',
      async () => (await api(running, `/api/v1/points/${LEVEL}`)).latest?.value === 6.5,
    )
  })

  it('refuses to start on a port in use, leaving nothing open', async () => {
    const taken = net.createServer()
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve))
    const port = (taken.address() as net.AddressInfo).port
    try {
      await expect(
        startTestCloud(configFor(dir.dir, broker.url), { log: createLogger({ level: 'silent' }), port }),
      ).rejects.toThrow(/cannot listen/)
      // The database was closed: it can be opened again at once.
      cloud = await start()
    } finally {
      await new Promise<void>((resolve) => taken.close(() => resolve()))
    }
  })

  // SQLite's own: a lock on its file. PostgreSQL's start-up failure is the database out of reach (the next test).
  it.skipIf(onPostgres())(
    'says so when another process holds the database locked at startup, and starts once it is free',
    async () => {
      cloud = await start()
      await cloud.stop()
      cloud = null
      const other = new Database(path.join(dir.dir, 'cloud.db'))
      other.exec('BEGIN EXCLUSIVE')
      try {
        await expect(
          startTestCloud(configFor(dir.dir, broker.url), { log: createLogger({ level: 'silent' }) }),
        ).rejects.toMatchObject({
          code: 'PL_STORE_FAILED',
          message: expect.stringMatching(/locked by another process/),
          hint: expect.stringMatching(/dataDir/),
        })
      } finally {
        other.exec('ROLLBACK')
        other.close()
      }
      cloud = await start()
    },
    20_000,
  )

  it.skipIf(!onPostgres())(
    'says so when the database cannot be reached at startup, and starts once it can',
    async () => {
      const config = await withTestEngine(configFor(dir.dir, broker.url))
      // Nothing listens on that port: the connection is refused at once.
      const url = new URL(config.store.url!)
      url.port = String(await freePort())
      await expect(
        startCloud(
          { ...config, store: { ...config.store, url: url.href } },
          { log: createLogger({ level: 'silent' }) },
        ),
      ).rejects.toMatchObject({
        code: 'PL_STORE_FAILED',
        message: expect.stringMatching(/cannot reach the cloud database/),
        hint: expect.stringMatching(/store\.url/),
      })
      cloud = await start()
    },
    20_000,
  )
})
