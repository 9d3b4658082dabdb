import path from 'node:path'
import { openSqliteOutbox } from '../../edge/outbox/sqlite-outbox.ts'
import { waitFor } from '../util/wait.ts'
import { readings } from './outbox.ts'
import { startBenchPark, startBenchUplink } from './park.ts'
import type { BenchEngine } from './engines.ts'
import { rssMb } from './proc.ts'
import { result, type BenchResult } from './table.ts'

/** Issue 15's end-to-end targets per engine (samples/s stored). */
const E2E_TARGET: Record<BenchEngine['name'], number> = { SQLite: 200_000, PostgreSQL: 100_000 }

interface Health {
  ingest: { samples: number; batches: number }
}

/**
 * (2) end to end: an edge (outbox + MQTT uplink in this process, fed as fast as the cloud
 * drains, 10 000 points, 1 000 samples per message) → Debian's mosquitto → `parklink cloud`
 * as its own process, counting what the cloud has STORED (its health counters) over `seconds`
 * after a warm-up. (7) RSS of this edge process and of the cloud process at the end. The cloud's
 * store is a fresh one of `engine` (issue 15: ≥ 200 k samples/s on SQLite, ≥ 100 k on PostgreSQL).
 */
export async function benchEndToEnd(engine: BenchEngine, dir: string, seconds: number): Promise<BenchResult[]> {
  const name = engine.name.toLowerCase()
  // The health counters are shown to an authenticated identity only: the park's API key.
  const park = await startBenchPark(path.join(dir, `e2e-${name}`), `e2e-${name}`, engine)
  const { cloud } = park
  const api = `${park.api}/health`
  const outbox = openSqliteOutbox({ file: path.join(dir, `e2e-${name}-outbox.db`) })
  const uplink = startBenchUplink(outbox, park.mqttUrl, `bench-${name}`, {
    maxInflight: 64,
    ackTimeoutMs: 30_000,
    reconnectMinMs: 100,
    reconnectMaxMs: 1_000,
  })
  let running = true
  try {
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
    const stored = async () =>
      ((await (await fetch(api, { headers: park.auth, signal: AbortSignal.timeout(60_000) })).json()) as Health).ingest
        .samples
    await waitFor(async () => (await stored()) > 20_000, {
      timeoutMs: 60_000,
      message: () => `nothing stored during the warm-up\n${cloud.output().slice(-3000)}`,
    })
    const start = { at: Date.now(), samples: await stored() }
    await new Promise((r) => setTimeout(r, seconds * 1000))
    const end = { at: Date.now(), samples: await stored() }
    running = false
    const rate = (end.samples - start.samples) / ((end.at - start.at) / 1000)
    return [
      result(`${engine.name}: end to end edge → mosquitto → cloud stored (${seconds} s)`, rate, 'samples/s', {
        target: { op: '>=', value: E2E_TARGET[engine.name] },
      }),
      result(
        `${engine.name}: edge RSS (outbox + uplink + generator, 10 000 points)`,
        process.memoryUsage().rss / 1024 / 1024,
        'MB',
        { target: { op: '<=', value: 200 } },
      ),
      result(`${engine.name}: cloud RSS (after the run)`, rssMb(cloud.proc.pid!), 'MB'),
    ]
  } finally {
    running = false
    await uplink.stop()
    outbox.close()
    await park.stop()
  }
}
