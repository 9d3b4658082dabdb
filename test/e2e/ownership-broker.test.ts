import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { CloudConfigSchema } from '../../cloud/config.ts'
import { createLogger as createCloudLogger } from '../../cloud/log.ts'
import type { RunningCloud } from '../../cloud/service.ts'
import { startEmbeddedBroker, type EmbeddedBroker } from '../../deploy/demo/broker.ts'
import { DEMO_MQTT_PASSWORD_ENV, createDemoLogins } from '../../deploy/demo/logins.ts'
import { openSqliteOutbox } from '../../edge/outbox/sqlite-outbox.ts'
import type { Outbox } from '../../edge/outbox/outbox.ts'
import { startMqttUplink, type Uplink } from '../../edge/uplink/mqtt/mqtt-uplink.ts'
import { LEVEL, PRESSURE, captureLogger, registry } from '../cloud/helpers.ts'
import { waitFor } from '../util/wait.ts'
import { startTestCloud } from '../util/test-cloud.ts'

/**
 * Ownership at ingest end to end (issue 13): the demo's authenticating broker, the real cloud
 * service and a real edge uplink. Edge A (实联) sends its own level and, in the same batch, the
 * pressure point the registry binds to edge B (富强): the cloud stores A's sample, refuses B's
 * point, acks the batch (A's outbox empties) and shows the park a SECURITY alarm on edge:A.
 */
const SITE = 'huaian'
const A = 'shilian-01'
const B = 'fuqiang-01'

describe("an edge that sends another edge's point, through a real broker and cloud", () => {
  let dir: string
  let broker: EmbeddedBroker
  let cloud: RunningCloud
  let outbox: Outbox
  let uplink: Uplink

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'parklink-ownership-e2e-'))
    const logins = createDemoLogins(SITE, [A, B])
    broker = await startEmbeddedBroker(0, { access: logins.access })
    const config = CloudConfigSchema.parse({
      dataDir: path.join(dir, 'cloud'),
      http: { port: 0 },
      mqtt: {
        url: broker.url,
        username: logins.cloud.username,
        passwordEnv: DEMO_MQTT_PASSWORD_ENV,
        reconnectPeriodMs: 200,
      },
      registry: {
        ...registry,
        edges: [
          { id: A, site: SITE, enterprise: 'shilian' },
          { id: B, site: SITE, enterprise: 'fuqiang' },
        ],
        points: registry.points.map((p) => ({ ...p, edge: p.enterprise === 'shilian' ? A : B })),
        claimUnknownPoints: 'strict',
      },
    })
    cloud = await startTestCloud(config, { log: createCloudLogger({ level: 'silent' }), env: logins.env(logins.cloud) })
    outbox = openSqliteOutbox({ file: path.join(dir, 'outbox.db') })
    const a = logins.edge(SITE, A)
    uplink = startMqttUplink({
      url: broker.url,
      clientId: a.username,
      username: a.username,
      password: logins.env(a)[DEMO_MQTT_PASSWORD_ENV]!,
      site: SITE,
      edge: A,
      session: 'session-1',
      configHash: 'cafe',
      points: [
        { id: LEVEL, device: 'dcs' },
        { id: PRESSURE, device: 'dcs' },
      ],
      drivers: () => [],
      outbox,
      maxInflight: 4,
      ackTimeoutMs: 2_000,
      heartbeatMs: 1_000,
      reconnectMinMs: 50,
      reconnectMaxMs: 200,
      keepaliveS: 5,
      log: captureLogger().log,
    })
    await waitFor(() => uplink.state().connected && cloud.metrics.mqtt.connected, {
      message: 'edge and cloud connected to the demo broker',
    })
  }, 30_000)

  afterAll(async () => {
    await uplink?.stop()
    outbox?.close()
    await cloud?.stop()
    await broker?.close()
    rmSync(dir, { recursive: true, force: true })
  })

  it("stores A's own sample, refuses and counts B's point, acks the batch and raises SECURITY on edge:A", async () => {
    const ts = Date.now() - 1_000
    // 99 MPa would raise an S alarm on 富强's tank if the cloud believed A.
    outbox.append([
      { point: LEVEL, ts, value: 5.5, quality: 'good' },
      { point: PRESSURE, ts, value: 99, quality: 'good' },
    ])
    uplink.kick()
    await waitFor(() => outbox.stats().batches === 0, { message: "the cloud acked the batch (A's outbox emptied)" })

    expect((await cloud.store.getPoint(LEVEL, 'all'))?.latest).toMatchObject({ ts, value: 5.5 })
    expect((await cloud.store.getPoint(PRESSURE, 'all'))?.latest ?? null).toBeNull()
    // Counted per refused item: B's point in A's birth, and its sample in the batch.
    await waitFor(() => cloud.metrics.ingest.refused.foreign_point === 2, {
      message: () => `foreign_point ${cloud.metrics.ingest.refused.foreign_point}, expected 2`,
    })
    const alarms = await cloud.store.listAlarms({ scope: 'all', state: 'all', limit: 20 })
    expect(alarms.filter((x) => x.point === PRESSURE)).toEqual([])
    expect(alarms.filter((x) => x.point === `edge:${A}` && x.kind === 'SECURITY')).toHaveLength(1)
  }, 30_000)
})
