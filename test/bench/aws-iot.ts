import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { stringify } from 'yaml'
import { addKey } from '../../deploy/accounts.ts'
import { cloudConfigFor } from '../../deploy/demo/configs.ts'
import { openSqliteOutbox } from '../../edge/outbox/sqlite-outbox.ts'
import type { Outbox } from '../../edge/outbox/outbox.ts'
import { startAwsIotUplink } from '../../edge/uplink/aws-iot/aws-iot-uplink.ts'
import type { Uplink } from '../../edge/uplink/uplink.ts'
import { createLogger } from '../../edge/log.ts'
import { budgetOf, splitSamples } from '../../edge/message-size.ts'
import { IOT_LIMITS } from '../../shared/iot/limits.ts'
import { DEFAULT_CLOUD_USER } from '../../shared/wire/acl.ts'
import { startParklink } from '../util/child.ts'
import { bearer, tryGetJson } from '../util/http.ts'
import { startIotStandIn, type IotStandIn } from '../util/iot-standin.ts'
import { freePort } from '../util/ports.ts'
import { waitFor } from '../util/wait.ts'
import { readings } from './outbox.ts'
import { startBenchUplink } from './park.ts'
import { result, type BenchResult } from './table.ts'

/** Issue 16: the AWS IoT uplink's samples/s at least this share of the plain MQTT uplink's. */
const RATIO_TARGET = 0.8
const SITE = 'bench'

/**
 * (16) The AWS IoT Core uplink (aws-iot-device-sdk-v2, IoT Core's pace: ≤ 90 publishes in any
 * second) end to end through the TLS stand-in (test/util/iot-standin.ts: Debian's mosquitto,
 * client certificates, 128 KB messages) into `parklink cloud` as its own process, beside the
 * plain MQTT uplink (mqtt.js, mqtts with a client certificate) on the same broker and cloud, one
 * after the other, on the same feed: batches as large as IoT Core takes (edge/message-size.ts
 * cuts them under 128 KB), at most 100 waiting. Counts what the cloud STORED.
 */
export async function benchAwsIot(dir: string, seconds: number): Promise<BenchResult[]> {
  const standIn = await startIotStandIn()
  const park = await startCloud(path.join(dir, 'aws-iot'), standIn).catch(async (err) => {
    await standIn.dispose()
    throw err
  })
  try {
    const mqttEdge = 'bench-mqtt'
    const mqttThing = standIn.thing(SITE, mqttEdge)
    const mqtt = await measure(dir, mqttEdge, park, seconds, (outbox) =>
      startBenchUplink(outbox, standIn.broker.url, mqttEdge, {
        site: SITE,
        tls: { ca: readFileSync(mqttThing.ca), cert: readFileSync(mqttThing.cert), key: readFileSync(mqttThing.key) },
        maxInflight: 64,
        ackTimeoutMs: 30_000,
      }),
    )
    const iotEdge = 'bench-iot'
    const iotThing = standIn.thing(SITE, iotEdge)
    const iot = await measure(dir, iotEdge, park, seconds, (outbox) =>
      startAwsIotUplink({
        endpoint: standIn.host,
        port: standIn.port,
        thingName: `${SITE}-${iotEdge}`,
        ...iotThing,
        keepaliveS: IOT_LIMITS.keepaliveMinS,
        reconnectMinMs: 100,
        reconnectMaxMs: 1_000,
        site: SITE,
        edge: iotEdge,
        session: `${iotEdge}-session`,
        configHash: 'bench',
        points: [],
        drivers: () => [],
        outbox,
        maxInflight: 64,
        ackTimeoutMs: 30_000,
        heartbeatMs: 10_000,
        log: createLogger(`bench-${iotEdge}`, 'warn'),
      }),
    )
    const perSecond = new Map<number, number>()
    const bytesPerSecond = new Map<number, number>()
    for (const p of standIn.publishes(`${SITE}/${iotEdge}`)) {
      perSecond.set(p.second, (perSecond.get(p.second) ?? 0) + 1)
      bytesPerSecond.set(p.second, (bytesPerSecond.get(p.second) ?? 0) + p.bytes)
    }
    return [
      result(
        `MQTT uplink (mqtt.js, mqtts + client cert) → TLS stand-in → cloud stored (${seconds} s)`,
        mqtt,
        'samples/s',
      ),
      result(`AWS IoT uplink (aws-iot-device-sdk-v2) → TLS stand-in → cloud stored (${seconds} s)`, iot, 'samples/s', {
        baseline: mqtt,
      }),
      result('AWS IoT uplink ÷ MQTT uplink, samples/s', mqtt === 0 ? 0 : iot / mqtt, 'ratio', {
        target: { op: '>=', value: RATIO_TARGET },
      }),
      result(
        'AWS IoT uplink: most PUBLISH received in one second (broker log)',
        Math.max(0, ...perSecond.values()),
        'publishes',
        {
          target: { op: '<=', value: IOT_LIMITS.publishesPerSecond - 1 },
        },
      ),
      // IoT Core's 512 KiB/s per connection is what bounds this uplink's samples/s (JSON samples).
      result(
        'AWS IoT uplink: most KiB received in one second (broker log)',
        Math.max(0, ...bytesPerSecond.values()) / 1024,
        'KiB',
        {
          target: { op: '<=', value: IOT_LIMITS.bytesPerSecond / 1024 - 1 },
        },
      ),
    ]
  } finally {
    await park.stop()
    await standIn.dispose()
  }
}

interface Park {
  stored(): Promise<number>
  stop(): Promise<void>
}

/** `parklink cloud` on a fresh SQLite store, logging in to the stand-in with its own certificate. */
async function startCloud(dir: string, standIn: IotStandIn): Promise<Park> {
  mkdirSync(dir, { recursive: true })
  const files = standIn.broker.enrol('cloud', DEFAULT_CLOUD_USER)
  const httpPort = await freePort()
  const demo = cloudConfigFor({ dataDir: './cloud', httpPort, mqttUrl: standIn.broker.url })
  const configFile = path.join(dir, 'cloud.yaml')
  writeFileSync(
    configFile,
    stringify({
      ...demo,
      mqtt: {
        url: standIn.broker.url,
        reconnectPeriodMs: 500,
        tls: {
          ca: path.join(files.dir, 'ca.crt'),
          cert: path.join(files.dir, 'client.crt'),
          key: path.join(files.dir, 'client.key'),
        },
      },
      store: { engine: 'sqlite' },
      log: { level: 'warn' },
    }),
  )
  const auth = bearer((await addKey(configFile, { name: 'aws-iot-bench', role: 'park_operator' })).key)
  const cloud = startParklink('cloud', ['cloud', '--config', configFile])
  const api = `http://127.0.0.1:${httpPort}/api/v1`
  await waitFor(async () => (await tryGetJson(`${api}/health`)) !== null, {
    timeoutMs: 30_000,
    message: () => `cloud did not start\n${cloud.output().slice(-2000)}`,
  })
  return {
    stored: async () =>
      (
        (await (await fetch(`${api}/health`, { headers: auth, signal: AbortSignal.timeout(60_000) })).json()) as {
          ingest: { samples: number }
        }
      ).ingest.samples,
    stop: async () => void (await cloud.kill('SIGTERM')),
  }
}

/** Feeds one uplink as fast as the cloud stores (≤ 100 batches waiting) and returns the stored samples/s. */
async function measure(
  dir: string,
  edge: string,
  park: Park,
  seconds: number,
  start: (outbox: Outbox) => Uplink,
): Promise<number> {
  const outbox = openSqliteOutbox({ file: path.join(dir, `${edge}-outbox.db`) })
  const prefix = edge.endsWith('mqtt') ? 'm' : 'i'
  const uplink = start(outbox)
  let running = true
  try {
    let round = 0
    const t0 = Date.now()
    const budget = budgetOf(IOT_LIMITS.messageBytes)
    const feed = () => {
      if (!running) return
      if (outbox.stats().batches < 100) {
        // Each edge its own points (the cloud binds a point to the edge that sent it first); ids of one length.
        const samples = readings(10_000, 5_000, round++, t0).map((s) => ({ ...s, point: `${prefix}${s.point}` }))
        for (const batch of splitSamples(samples, 100_000, budget).batches) outbox.append(batch)
        uplink.kick()
        setImmediate(feed)
      } else setTimeout(feed, 2)
    }
    const before = await park.stored()
    feed()
    await waitFor(async () => (await park.stored()) > before + 20_000, {
      timeoutMs: 60_000,
      message: `${edge}: nothing stored during the warm-up`,
    })
    const a = { at: Date.now(), samples: await park.stored() }
    await new Promise((r) => setTimeout(r, seconds * 1000))
    const b = { at: Date.now(), samples: await park.stored() }
    return (b.samples - a.samples) / ((b.at - a.at) / 1000)
  } finally {
    running = false
    await uplink.stop()
    outbox.close()
  }
}
