import { writeFileSync } from 'node:fs'
import path from 'node:path'
import { stringify } from 'yaml'
import { cloudConfigFor } from '../../deploy/demo/configs.ts'
import { createLogger } from '../../edge/log.ts'
import { openSqliteOutbox } from '../../edge/outbox/sqlite-outbox.ts'
import { startMqttUplink } from '../../edge/uplink/mqtt-uplink.ts'
import { startParklink } from '../util/child.ts'
import { tryGetJson } from '../util/http.ts'
import { createMosquitto } from '../util/mosquitto.ts'
import { freePort } from '../util/ports.ts'
import { waitFor } from '../util/wait.ts'
import { readings } from './outbox.ts'
import { rssMb } from './proc.ts'
import { result, type BenchResult } from './table.ts'

interface Health { ingest: { samples: number; batches: number } }

/**
 * (2) end to end: an edge (outbox + MQTT uplink in this process, fed as fast as the cloud
 * drains, 10 000 points, 1 000 samples per message) → Debian's mosquitto → `parklink cloud`
 * as its own process, counting what the cloud has STORED (its health counters) over `seconds`
 * after a warm-up. (7) RSS of this edge process and of the cloud process at the end.
 */
export async function benchEndToEnd(dir: string, seconds: number): Promise<BenchResult[]> {
  const mqttPort = await freePort()
  const httpPort = await freePort()
  const mosquitto = createMosquitto(mqttPort)
  await mosquitto.start()
  const mqttUrl = `mqtt://127.0.0.1:${mqttPort}`
  writeFileSync(path.join(dir, 'cloud.yaml'), stringify({ ...cloudConfigFor({ dataDir: './cloud', httpPort, mqttUrl, clientId: 'parklink-cloud-bench' }), log: { level: 'warn' } }))
  const cloud = startParklink('cloud', ['cloud', '--config', path.join(dir, 'cloud.yaml')])
  const api = `http://127.0.0.1:${httpPort}/api/v1/health`
  const outbox = openSqliteOutbox({ file: path.join(dir, 'e2e-outbox.db') })
  const uplink = startMqttUplink({
    url: mqttUrl, clientId: 'parklink-edge-bench', site: 'bench', edge: 'bench-01', session: 'bench', configHash: 'bench', points: [], drivers: () => [],
    outbox, maxInflight: 64, ackTimeoutMs: 30_000, heartbeatMs: 10_000, reconnectMinMs: 100, reconnectMaxMs: 1_000, log: createLogger('bench-edge', 'warn'),
  })
  let running = true
  try {
    await waitFor(async () => (await tryGetJson<Health>(api)) !== null, { timeoutMs: 30_000, message: () => `cloud did not start\n${cloud.output().slice(-2000)}` })
    // Feed: keep ≤ 100 batches waiting, so the figure is the sustained rate, not a burst into a backlog.
    let round = 0
    const t0 = Date.now()
    const feed = () => {
      if (!running) return
      if (outbox.stats().batches < 100) {
        outbox.append(readings(10_000, 1_000, round++, t0))
        uplink.kick()
        setImmediate(feed)
      } else setTimeout(feed, 2)
    }
    feed()
    const stored = async () => ((await (await fetch(api, { signal: AbortSignal.timeout(60_000) })).json()) as Health).ingest.samples
    await waitFor(async () => (await stored()) > 20_000, { timeoutMs: 60_000, message: () => `nothing stored during the warm-up\n${cloud.output().slice(-3000)}` })
    const start = { at: Date.now(), samples: await stored() }
    await new Promise((r) => setTimeout(r, seconds * 1000))
    const end = { at: Date.now(), samples: await stored() }
    running = false
    const rate = (end.samples - start.samples) / ((end.at - start.at) / 1000)
    return [
      result(`end to end edge → mosquitto → cloud stored (${seconds} s)`, rate, 'samples/s', { target: { op: '>=', value: 100_000 } }),
      result('edge RSS (outbox + uplink + generator, 10 000 points)', process.memoryUsage().rss / 1024 / 1024, 'MB', { target: { op: '<=', value: 200 } }),
      result('cloud RSS (after the run)', rssMb(cloud.proc.pid!), 'MB'),
    ]
  } finally {
    running = false
    await uplink.stop()
    outbox.close()
    await cloud.kill('SIGTERM')
    await mosquitto.dispose()
  }
}
