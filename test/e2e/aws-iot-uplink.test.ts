import { randomUUID } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { CloudConfigSchema } from '../../cloud/config.ts'
import { createLogger as createCloudLogger } from '../../cloud/log.ts'
import type { RunningCloud } from '../../cloud/service.ts'
import { startEdgeAgent } from '../../edge/agent.ts'
import { appendCameraEvents } from '../../edge/camera-events.ts'
import { bigSnapshotEvent } from '../util/big-snapshot.ts'
import { parseEdgeConfig } from '../../edge/config.ts'
import { openSqliteOutbox } from '../../edge/outbox/sqlite-outbox.ts'
import type { Outbox } from '../../edge/outbox/outbox.ts'
import { startAwsIotUplink } from '../../edge/uplink/aws-iot/aws-iot-uplink.ts'
import type { Uplink } from '../../edge/uplink/uplink.ts'
import { IOT_LIMITS } from '../../shared/iot/limits.ts'
import { DEFAULT_CLOUD_USER } from '../../shared/wire/acl.ts'
import { captureLogger } from '../util/edge-support.ts'
import { iotLimitViolations, startIotStandIn, type IotStandIn } from '../util/iot-standin.ts'
import { startTcpProxy, type TcpProxy } from '../util/tcp-proxy.ts'
import { startTestCloud } from '../util/test-cloud.ts'
import { waitFor } from '../util/wait.ts'

const SITE = 'huaian'
const EDGE = 'iot-edge'
/** The broker takes the certificate's CN as the client's identity (use_identity_as_username). */
const CN = `${SITE}/${EDGE}`

/**
 * The AWS IoT Core uplink (edge/uplink/aws-iot/, aws-iot-device-sdk-v2) through a stand-in for
 * IoT Core: Debian's mosquitto with TLS and client certificates and IoT Core's 128 KB message
 * limit, and the real cloud ingest behind it. The broker logs every PUBLISH it receives, so the
 * test checks IoT Core's other limits itself (publishes per second, topic depth, size).
 */
describe('AWS IoT Core uplink through the TLS stand-in (real Mosquitto, real cloud ingest)', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'parklink-aws-iot-'))
  let standIn: IotStandIn
  let cloud: RunningCloud
  let proxy: TcpProxy
  let outbox: Outbox
  let uplink: Uplink | null = null
  let logs: ReturnType<typeof captureLogger>
  let thing: { cert: string; key: string; ca: string }

  const sample = (i: number) => ({
    point: `${EDGE}.tk.level`,
    ts: Date.now() - 60_000 + i,
    value: i,
    quality: 'good' as const,
  })
  const append = (n: number, from = 0) => {
    for (let i = 0; i < n; i++) outbox.append([sample(from + i)])
    uplink?.kick()
  }
  const edgeRecord = async () => (await cloud.store.listEdges()).find((e) => e.id === EDGE)
  const drained = () => outbox.stats().batches === 0 && uplink!.state().ackedThrough === outbox.stats().lastSeq
  const start = (maxInflight = 16) => {
    logs = captureLogger()
    uplink = startAwsIotUplink({
      endpoint: '127.0.0.1',
      port: proxy.port,
      thingName: 'huaian-iot-edge',
      ...thing,
      keepaliveS: IOT_LIMITS.keepaliveMinS,
      reconnectMinMs: 50,
      reconnectMaxMs: 300,
      site: SITE,
      edge: EDGE,
      session: randomUUID(),
      configHash: 'cafe',
      points: [
        { id: `${EDGE}.tk.level`, name: '储罐液位', unit: 'm', device: 'plc1' },
        { id: 'cam-big.event', name: '北门', unit: '', device: 'cam-big' },
      ],
      drivers: () => [],
      outbox,
      maxInflight,
      ackTimeoutMs: 3_000,
      heartbeatMs: 1_000,
      log: logs.log,
    })
    return uplink
  }

  beforeAll(async () => {
    standIn = await startIotStandIn()
    thing = standIn.thing(SITE, EDGE)
    const cloudFiles = standIn.broker.enrol('cloud', DEFAULT_CLOUD_USER)
    cloud = await startTestCloud(
      CloudConfigSchema.parse({
        dataDir: path.join(dir, 'cloud'),
        http: { port: 0 },
        mqtt: {
          url: standIn.broker.url,
          reconnectPeriodMs: 200,
          tls: {
            ca: path.join(cloudFiles.dir, 'ca.crt'),
            cert: path.join(cloudFiles.dir, 'client.crt'),
            key: path.join(cloudFiles.dir, 'client.key'),
          },
        },
        registry: {
          enterprises: [{ id: 'shilian', name: '实联化工' }],
          edges: [{ id: EDGE, site: SITE, enterprise: 'shilian', claim: 'open' }],
        },
      }),
      { log: createCloudLogger({ level: 'silent' }) },
    )
    await waitFor(() => cloud.metrics.mqtt.connected, { message: () => `cloud: ${cloud.metrics.mqtt.lastError}` })
    // A TCP proxy in front of the broker: cutting it drops the edge's link without a goodbye.
    proxy = await startTcpProxy({ port: standIn.port })
  }, 60_000)
  afterEach(async () => {
    await uplink?.stop()
    uplink = null
    outbox?.close()
  })
  afterAll(async () => {
    await cloud?.stop()
    await proxy?.close()
    await standIn?.dispose()
    rmSync(dir, { recursive: true, force: true })
  })
  const freshOutbox = () => {
    outbox = openSqliteOutbox({ file: path.join(dir, `outbox-${randomUUID()}.db`) })
  }

  it('births, is acked end to end by the cloud, replays after a broker restart, all within IoT Core limits', async () => {
    freshOutbox()
    append(40) // a backlog from before the start
    start(400)
    await waitFor(async () => (await edgeRecord())?.online === true, { message: 'no birth at the cloud' })
    await waitFor(drained, { timeoutMs: 20_000, message: () => `not drained: ${JSON.stringify(uplink!.state())}` })
    expect((await edgeRecord())!.ackedThrough).toBe(outbox.stats().lastSeq)

    await standIn.broker.stop()
    await waitFor(() => !uplink!.state().connected, { message: 'the edge did not notice the broker going away' })
    append(100, 100) // collected while the broker is down
    await standIn.broker.start()
    await waitFor(drained, {
      timeoutMs: 30_000,
      message: () => `not drained after the restart: ${JSON.stringify(uplink!.state())}`,
    })
    expect((await edgeRecord())!.ackedThrough).toBe(outbox.stats().lastSeq)
    // 300 live batches at once, all inside the send window (maxInflight 400): only the
    // transport's pace keeps them under IoT Core's 100 publishes per second.
    append(300, 1_000)
    await waitFor(drained, { timeoutMs: 30_000, message: () => `live not drained: ${JSON.stringify(uplink!.state())}` })

    const seen = standIn.publishes(CN)
    expect(seen.filter((p) => p.topic === `parklink/v1/${CN}/data`).length).toBeGreaterThanOrEqual(440)
    expect(iotLimitViolations(seen)).toEqual([])
  }, 60_000)

  it('the broker publishes the will when the link drops without a goodbye; a new birth follows', async () => {
    freshOutbox()
    start()
    await waitFor(async () => (await edgeRecord())?.online === true && uplink!.state().connected)
    const session = (await edgeRecord())!.session
    proxy.setMode('drop')
    await waitFor(async () => (await edgeRecord())?.online === false, { message: 'no death (will) at the cloud' })
    expect((await edgeRecord())!.session).toBe(session)
    proxy.setMode('pass')
    await waitFor(async () => (await edgeRecord())?.online === true, { message: 'no new birth after the drop' })
    await uplink!.stop()
    await waitFor(async () => (await edgeRecord())?.online === false, { message: 'no death on stop' })
  }, 60_000)

  it('a snapshot over 128 KB goes in parts under the limit and is joined and verified by sha256 at the cloud', async () => {
    freshOutbox()
    start()
    const { event, jpeg, sha256 } = bigSnapshotEvent(400)
    expect(appendCameraEvents(outbox, [event], logs.log, IOT_LIMITS.messageBytes)).toBe(1)
    const kinds = outbox.peek(0, 20).map((b) => b.events?.[0]?.type)
    expect(kinds.filter((k) => k === 'part').length).toBeGreaterThanOrEqual(5)
    uplink!.kick()
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
    await waitFor(drained, { message: 'the cloud acked every part and the event' })
    const parts = standIn.publishes(CN).filter((p) => p.topic.endsWith('/data'))
    expect(Math.max(...parts.map((p) => p.bytes))).toBeGreaterThan(IOT_LIMITS.messageBytes / 2)
    expect(iotLimitViolations(standIn.publishes(CN))).toEqual([])
  }, 60_000)
  it('the edge agent with `uplink.kind: aws-iot` in its config connects through the factory; a mismatched key refuses the start', async () => {
    const config = (key: string) =>
      parseEdgeConfig(
        [
          `site: ${SITE}`,
          `edge: ${EDGE}`,
          'dataDir: ./agent',
          'uplink:',
          '  kind: aws-iot',
          `  endpoint: ${standIn.host}`,
          `  port: ${standIn.port}`,
          '  thingName: huaian-iot-edge',
          `  cert: ${thing.cert}`,
          `  key: ${key}`,
          `  ca: ${thing.ca}`,
          '  reconnectMinMs: 50',
          '  reconnectMaxMs: 300',
          'devices: []',
          '',
        ].join('\n'),
        path.join(dir, 'edge.yaml'),
      )
    const wrongKey = standIn.thing(SITE, 'someone-else').key
    await expect(startEdgeAgent(config(wrongKey), { log: captureLogger().log })).rejects.toMatchObject({
      code: 'PL_KEY_MISMATCH',
      message: expect.stringContaining(`uplink.cert: ${thing.cert} is not the certificate of ${wrongKey}`),
    })
    const agent = await startEdgeAgent(config(thing.key), { log: captureLogger().log })
    try {
      await waitFor(() => agent.status().uplink.connected, {
        message: () => `not connected: ${agent.status().uplink.lastError}`,
      })
      await waitFor(async () => (await edgeRecord())?.session === agent.session, { message: 'no birth of the agent' })
    } finally {
      await agent.stop()
    }
  }, 60_000)
})
