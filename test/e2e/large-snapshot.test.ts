import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import mqtt from 'mqtt'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { CloudConfigSchema } from '../../cloud/config.ts'
import { createLogger as createCloudLogger } from '../../cloud/log.ts'
import type { RunningCloud } from '../../cloud/service.ts'
import { appendCameraEvents } from '../../edge/camera-events.ts'
import { bigSnapshotEvent } from '../util/big-snapshot.ts'
import { openSqliteOutbox } from '../../edge/outbox/sqlite-outbox.ts'
import type { Outbox } from '../../edge/outbox/outbox.ts'
import { startMqttUplink, type Uplink } from '../../edge/uplink/mqtt/mqtt-uplink.ts'
import { captureLogger } from '../util/edge-support.ts'
import { createMosquitto, type Mosquitto } from '../util/mosquitto.ts'
import { freePort } from '../util/ports.ts'
import { waitFor } from '../util/wait.ts'
import { startTestCloud } from '../util/test-cloud.ts'

/** The shipped broker's limit (deploy/mosquitto/parklink.conf). */
const SHIPPED_LIMIT = 1_048_576
const limitOfShippedConfig = () =>
  Number(
    /^message_size_limit\s+(\d+)/m.exec(
      readFileSync(new URL('../../deploy/mosquitto/parklink.conf', import.meta.url), 'utf8'),
    )?.[1],
  )

/**
 * A 2 MB snapshot through Debian's mosquitto with the shipped `message_size_limit`: the broker
 * silently drops anything larger than 1 MiB, so the edge sends the picture in parts and the
 * cloud joins and checks them before it links the picture to its alarm.
 */
describe('a snapshot larger than the broker takes (real Mosquitto, message_size_limit 1048576)', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'parklink-large-snapshot-'))
  let mosquitto: Mosquitto
  let cloud: RunningCloud
  let outbox: Outbox
  let uplink: Uplink
  let url: string

  beforeAll(async () => {
    expect(limitOfShippedConfig()).toBe(SHIPPED_LIMIT)
    const port = await freePort()
    mosquitto = createMosquitto(port, [`message_size_limit ${SHIPPED_LIMIT}`])
    await mosquitto.start()
    url = `mqtt://127.0.0.1:${port}`
    cloud = await startTestCloud(
      CloudConfigSchema.parse({
        dataDir: path.join(dir, 'cloud'),
        http: { port: 0 },
        mqtt: { url, clientId: 'cloud-large-snapshot', reconnectPeriodMs: 200 },
        registry: {
          enterprises: [{ id: 'shilian', name: '实联化工' }],
          edges: [{ id: 'cam-edge', site: 'huaian', enterprise: 'shilian', claim: 'open' }],
        },
      }),
      { log: createCloudLogger({ level: 'silent' }) },
    )
    outbox = openSqliteOutbox({ file: path.join(dir, 'outbox.db') })
    uplink = startMqttUplink({
      url,
      clientId: 'parklink-edge-cam-edge',
      site: 'huaian',
      edge: 'cam-edge',
      session: 'session-1',
      configHash: 'cafe',
      points: [{ id: 'cam-big.event', name: '北门', unit: '', device: 'cam-big' }],
      drivers: () => [],
      outbox,
      maxInflight: 8,
      ackTimeoutMs: 2_000,
      heartbeatMs: 1_000,
      reconnectMinMs: 50,
      reconnectMaxMs: 200,
      keepaliveS: 5,
      log: captureLogger().log,
    })
    await waitFor(() => uplink.state().connected, { message: 'edge uplink connected' })
  }, 30_000)
  afterAll(async () => {
    await uplink?.stop()
    outbox?.close()
    await cloud?.stop()
    await mosquitto?.dispose()
    rmSync(dir, { recursive: true, force: true })
  })

  it('the broker really drops a message above its limit (what the edge must avoid)', async () => {
    const c = await mqtt.connectAsync(url, { protocolVersion: 4, reconnectPeriod: 0 })
    try {
      const seen: number[] = []
      await c.subscribeAsync('probe/#', { qos: 1 })
      c.on('message', (_t, payload) => seen.push(payload.length))
      await c.publishAsync('probe/x', Buffer.alloc(SHIPPED_LIMIT + 1024), { qos: 1 }).catch(() => {})
      await c.publishAsync('probe/x', Buffer.from('after'), { qos: 1 })
      await waitFor(() => seen.includes(5), { message: 'the small message after the large one' })
      expect(seen).toEqual([5])
    } finally {
      await c.endAsync()
    }
  })

  it('a 2 MB JPEG goes in parts under the limit and is linked whole to its alarm', async () => {
    const { event, jpeg, sha256 } = bigSnapshotEvent(2 * 1024)

    expect(appendCameraEvents(outbox, [event], captureLogger().log, SHIPPED_LIMIT)).toBe(1)
    // Three parts and the event, each a batch of its own under the limit.
    const written = outbox.peek(0, 10)
    expect(written.map((b) => b.events?.[0]?.type)).toEqual(['part', 'part', 'part', 'raise'])
    for (const b of written) expect(Buffer.byteLength(JSON.stringify(b))).toBeLessThan(SHIPPED_LIMIT - 4096)
    uplink.kick()

    const alarm = await waitFor(
      async () =>
        (await cloud.store.listAlarms({ scope: 'all', state: 'all', limit: 10 })).find(
          (a) => a.point === 'camera:cam-big' && a.kind === 'RYRQ',
        ),
      { timeoutMs: 20_000, message: 'the RYRQ alarm in the cloud' },
    )
    const [linked] = (await cloud.store.alarmSnapshots(alarm.id, 'all'))!
    expect(linked).toMatchObject({ id: event.snapshot!.id, bytes: jpeg.length, sha256 })
    const stored = await cloud.store.getSnapshot(event.snapshot!.id, 'all')
    expect(Buffer.compare(stored!.body, jpeg)).toBe(0)
    // Everything acked: nothing left to resend.
    await waitFor(() => outbox.stats().batches === 0, { message: 'the cloud acked every part and the event' })
  }, 40_000)
})
