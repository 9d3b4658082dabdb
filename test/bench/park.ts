import { mkdirSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { stringify } from 'yaml'
import { addKey } from '../../deploy/accounts.ts'
import { cloudConfigFor } from '../../deploy/demo/configs.ts'
import { UplinkConfigSchema } from '../../edge/config.ts'
import { createLogger } from '../../edge/log.ts'
import type { Outbox } from '../../edge/outbox/outbox.ts'
import { startMqttUplink, type Uplink, type MqttUplinkOptions } from '../../edge/uplink/mqtt/mqtt-uplink.ts'
import { startParklink, type Child } from '../util/child.ts'
import { bearer, tryGetJson } from '../util/http.ts'
import { createMosquitto, type Mosquitto } from '../util/mosquitto.ts'
import { freePort } from '../util/ports.ts'
import { waitFor } from '../util/wait.ts'
import type { BenchEngine } from './engines.ts'

/**
 * The park side of an end-to-end bench: Debian's mosquitto and `parklink cloud` as its own
 * process (the demo's registry, so Shilian's points have their limits), in `dir`, on a fresh
 * store of `engine` (engines.ts: the config's `store` key).
 */
export interface BenchPark {
  mqttUrl: string
  /** http://127.0.0.1:PORT/api/v1 (the first replica's) */
  api: string
  /** The Authorization header of a park_operator API key, made as on a new installation. */
  auth: Record<string, string>
  /** The first replica. */
  cloud: Child
  /** Every replica (issue 16: several on one PostgreSQL database), each with its API. */
  replicas: ReadonlyArray<{ cloud: Child; api: string }>
  stop(): Promise<void>
}

/** `replicas` > 1: that many `parklink cloud` processes on the one store (PostgreSQL only), each its own broker client. */
export async function startBenchPark(
  dir: string,
  name: string,
  engine: BenchEngine,
  replicaCount = 1,
): Promise<BenchPark> {
  if (replicaCount > 1 && engine.name !== 'PostgreSQL') throw new Error('several replicas need the PostgreSQL engine')
  mkdirSync(dir, { recursive: true })
  const fresh = await engine.freshStore()
  const mqttPort = await freePort()
  const mosquitto: Mosquitto = createMosquitto(mqttPort)
  await mosquitto.start()
  const mqttUrl = `mqtt://127.0.0.1:${mqttPort}`
  const configs: Array<{ file: string; api: string }> = []
  for (let i = 0; i < replicaCount; i++) {
    const httpPort = await freePort()
    const suffix = i === 0 ? '' : `-${i + 1}`
    const file = path.join(dir, `cloud${suffix}.yaml`)
    writeFileSync(
      file,
      stringify({
        ...cloudConfigFor({
          dataDir: `./cloud${suffix}`,
          httpPort,
          mqttUrl,
          clientId: `parklink-cloud-${name}${suffix}`,
        }),
        store: fresh.config,
        log: { level: 'warn' },
      }),
    )
    configs.push({ file, api: `http://127.0.0.1:${httpPort}/api/v1` })
  }
  // The bootstrap command's code (`parklink cloud key add`), before the service opens the store (shared by replicas).
  const auth = bearer((await addKey(configs[0]!.file, { name: `${name}-bench`, role: 'park_operator' })).key)
  const replicas = configs.map((c, i) => ({
    cloud: startParklink(`cloud${i + 1}`, ['cloud', '--config', c.file]),
    api: c.api,
  }))
  const stop = async () => {
    for (const r of replicas) await r.cloud.kill('SIGTERM')
    await mosquitto.dispose()
    await fresh.drop()
  }
  try {
    for (const r of replicas)
      await waitFor(async () => (await tryGetJson(`${r.api}/health`)) !== null, {
        timeoutMs: 30_000,
        message: () => `cloud did not start\n${r.cloud.output().slice(-2000)}`,
      })
  } catch (err) {
    await stop()
    throw err
  }
  return { mqttUrl, api: replicas[0]!.api, auth, cloud: replicas[0]!.cloud, replicas, stop }
}

/** The uplink as the agent starts it, with the agent's defaults (edge/config.ts) unless overridden. */
export function startBenchUplink(
  outbox: Outbox,
  mqttUrl: string,
  edge: string,
  overrides: Partial<MqttUplinkOptions> = {},
): Uplink {
  const d = UplinkConfigSchema.parse({ url: mqttUrl })
  return startMqttUplink({
    url: mqttUrl,
    clientId: `parklink-edge-${edge}`,
    site: 'bench',
    edge,
    session: `${edge}-session`,
    configHash: 'bench',
    points: [],
    drivers: () => [],
    outbox,
    maxInflight: d.maxInflight,
    ackTimeoutMs: d.ackTimeoutMs,
    heartbeatMs: d.heartbeatMs,
    reconnectMinMs: d.reconnectMinMs,
    reconnectMaxMs: d.reconnectMaxMs,
    keepaliveS: d.keepaliveS,
    log: createLogger(`bench-${edge}`, 'warn'),
    ...overrides,
  })
}

/** The agent's default number of samples per outbox batch (= per MQTT message). */
export const DEFAULT_BATCH_SIZE = UplinkConfigSchema.parse({ url: 'mqtt://127.0.0.1:1883' }).batchSize
