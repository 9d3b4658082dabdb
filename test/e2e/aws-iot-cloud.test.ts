import { randomUUID } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { CloudConfigSchema } from '../../cloud/config.ts'
import { createLogger as createCloudLogger } from '../../cloud/log.ts'
import type { RunningCloud } from '../../cloud/service.ts'
import { openSqliteOutbox } from '../../edge/outbox/sqlite-outbox.ts'
import { startAwsIotUplink } from '../../edge/uplink/aws-iot/aws-iot-uplink.ts'
import { IOT_LIMITS } from '../../shared/iot/limits.ts'
import { DEFAULT_CLOUD_USER } from '../../shared/wire/acl.ts'
import { captureLogger } from '../util/edge-support.ts'
import { iotLimitViolations, startIotStandIn, type IotStandIn } from '../util/iot-standin.ts'
import { startTestCloud } from '../util/test-cloud.ts'
import { waitFor } from '../util/wait.ts'

/**
 * Both ends on aws-iot-device-sdk-v2 through the IoT Core stand-in (test/util/iot-standin.ts):
 * the cloud consumes with `awsIot` (its own certificate, cloud/ingest/aws-iot/), the edge
 * publishes with `uplink.kind: aws-iot`; acks come back end to end, within IoT Core's limits on
 * both connections; a cloud key that is not its certificate's refuses the start.
 */
describe('the cloud consuming from AWS IoT Core (the TLS stand-in)', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'parklink-aws-iot-cloud-'))
  let standIn: IotStandIn
  let cloudFiles: { dir: string }
  const config = (key = path.join(cloudFiles.dir, 'client.key')) =>
    CloudConfigSchema.parse({
      dataDir: path.join(dir, 'cloud'),
      http: { port: 0 },
      // Required by the schema; with awsIot the ingest does not use it.
      mqtt: { url: standIn.broker.url },
      awsIot: {
        endpoint: standIn.host,
        port: standIn.port,
        clientId: DEFAULT_CLOUD_USER,
        cert: path.join(cloudFiles.dir, 'client.crt'),
        key,
        ca: path.join(cloudFiles.dir, 'ca.crt'),
      },
      registry: {
        enterprises: [{ id: 'shilian', name: '实联化工' }],
        edges: [{ id: 'iot-edge', site: 'huaian', enterprise: 'shilian', claim: 'open' }],
      },
    })

  beforeAll(async () => {
    standIn = await startIotStandIn()
    cloudFiles = standIn.broker.enrol('cloud', DEFAULT_CLOUD_USER)
  }, 60_000)
  afterAll(async () => {
    await standIn?.dispose()
    rmSync(dir, { recursive: true, force: true })
  })

  it('stores and acks what an AWS IoT edge sends, both connections within the limits', async () => {
    const cloud: RunningCloud = await startTestCloud(config(), { log: createCloudLogger({ level: 'silent' }) })
    const outbox = openSqliteOutbox({ file: path.join(dir, 'outbox.db') })
    const uplink = startAwsIotUplink({
      endpoint: standIn.host,
      port: standIn.port,
      thingName: 'huaian-iot-edge',
      ...standIn.thing('huaian', 'iot-edge'),
      keepaliveS: IOT_LIMITS.keepaliveMinS,
      reconnectMinMs: 50,
      reconnectMaxMs: 300,
      site: 'huaian',
      edge: 'iot-edge',
      session: randomUUID(),
      configHash: 'cafe',
      points: [{ id: 'iot-edge.tk.level', name: '储罐液位', unit: 'm', device: 'plc1' }],
      drivers: () => [],
      outbox,
      maxInflight: 200,
      ackTimeoutMs: 3_000,
      heartbeatMs: 1_000,
      log: captureLogger().log,
    })
    try {
      await waitFor(() => cloud.metrics.mqtt.connected, { message: () => `cloud: ${cloud.metrics.mqtt.lastError}` })
      for (let i = 0; i < 150; i++)
        outbox.append([{ point: 'iot-edge.tk.level', ts: Date.now() - 10_000 + i, value: i, quality: 'good' }])
      uplink.kick()
      await waitFor(() => outbox.stats().batches === 0, {
        timeoutMs: 30_000,
        message: () => `not drained: ${JSON.stringify(uplink.state())}`,
      })
      const edge = (await cloud.store.listEdges()).find((e) => e.id === 'iot-edge')
      expect(edge).toMatchObject({ online: true, ackedThrough: outbox.stats().lastSeq })
      // The cloud's acks: one connection too, paced like the edge's.
      const acks = standIn.publishes(DEFAULT_CLOUD_USER)
      expect(acks.some((p) => p.topic === 'parklink/v1/huaian/iot-edge/ack')).toBe(true)
      expect(iotLimitViolations(acks)).toEqual([])
      expect(iotLimitViolations(standIn.publishes('huaian/iot-edge'))).toEqual([])
    } finally {
      await uplink.stop()
      outbox.close()
      await cloud.stop()
    }
  }, 60_000)

  it('refuses to start with a key that is not its certificate’s, naming both files', async () => {
    const other = standIn.thing('huaian', 'someone').key
    await expect(startTestCloud(config(other), { log: createCloudLogger({ level: 'silent' }) })).rejects.toMatchObject({
      code: 'PL_KEY_MISMATCH',
      message: expect.stringContaining(`is not the certificate of ${other}`),
    })
  })
})
