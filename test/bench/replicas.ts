import path from 'node:path'
import { openSqliteOutbox } from '../../edge/outbox/sqlite-outbox.ts'
import type { Outbox } from '../../edge/outbox/outbox.ts'
import type { Sample } from '../../shared/wire/sample.ts'
import { waitFor } from '../util/wait.ts'
import type { BenchEngine } from './engines.ts'
import { readings } from './outbox.ts'
import { startBenchPark, startBenchUplink } from './park.ts'
import { cpuSeconds } from './proc.ts'
import { result, type BenchResult } from './table.ts'

const EDGES = 4
const POINTS_PER_EDGE = 2_500

interface Health {
  ingest: { samples: number }
}

interface Run {
  /** Samples/s stored by all replicas together. */
  rate: number
  /** Each replica's CPU over the window, % of one core. */
  cpu: number[]
  /** Edges each replica handled (samples it stored > 0). */
  busy: number[]
}

/**
 * (16) End to end with 1 and with 2 cloud replicas on one PostgreSQL (the "throughput
 * with 2 replicas beside 1"): EDGES edges (outbox + MQTT uplink in this process, fed as fast as
 * the park drains, each its own points) → mosquitto → `parklink cloud` × N, counting what the
 * replicas STORED together (their health counters) over `seconds` after a warm-up, and each
 * replica's CPU. This 2-core machine also runs the database, the broker and the edges: the figure
 * says whether a second replica costs or helps here, not how replicas scale on separate hosts.
 */
export async function benchReplicas(engine: BenchEngine, dir: string, seconds: number): Promise<BenchResult[]> {
  const one = await runReplicas(engine, path.join(dir, 'replicas-1'), 1, seconds)
  const two = await runReplicas(engine, path.join(dir, 'replicas-2'), 2, seconds)
  const name = (n: number) =>
    `${engine.name}: end to end, ${EDGES} edges → ${n} cloud replica${n > 1 ? 's' : ''} (${seconds} s)`
  return [
    result(name(1), one.rate, 'samples/s'),
    result(name(2), two.rate, 'samples/s', { baseline: one.rate }),
    result(`${engine.name}: 1 replica's CPU`, one.cpu[0]!, '% of a core'),
    ...two.cpu.map((cpu, i) =>
      result(
        `${engine.name}: 2 replicas, replica ${i + 1}'s CPU (stored for ${two.busy[i]} edges' share)`,
        cpu,
        '% of a core',
      ),
    ),
  ]
}

async function runReplicas(engine: BenchEngine, dir: string, replicas: number, seconds: number): Promise<Run> {
  const park = await startBenchPark(dir, `rep${replicas}`, engine, replicas)
  const edges = Array.from({ length: EDGES }, (_, k) => {
    const outbox = openSqliteOutbox({ file: path.join(dir, `edge-${k}-outbox.db`) })
    const uplink = startBenchUplink(outbox, park.mqttUrl, `bench-rep-${k}`, {
      maxInflight: 32,
      ackTimeoutMs: 30_000,
      reconnectMinMs: 100,
      reconnectMaxMs: 1_000,
    })
    return { k, outbox, uplink }
  })
  let running = true
  try {
    const t0 = Date.now()
    for (const e of edges)
      feed(
        e.outbox,
        e.k,
        t0,
        () => running,
        () => e.uplink.kick(),
      )
    const stored = async () =>
      Promise.all(
        park.replicas.map(
          async (r) =>
            (
              (await (
                await fetch(`${r.api}/health`, { headers: park.auth, signal: AbortSignal.timeout(60_000) })
              ).json()) as Health
            ).ingest.samples,
        ),
      )
    const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0)
    await waitFor(
      async () => (await stored()).filter((n) => n > 0).length === replicas && sum(await stored()) > 40_000,
      {
        timeoutMs: 90_000,
        message: () => `the replicas did not all store during the warm-up\n${park.cloud.output().slice(-3000)}`,
      },
    )
    const pids = park.replicas.map((r) => r.cloud.proc.pid!)
    const start = { at: Date.now(), samples: await stored(), cpu: pids.map(cpuSeconds) }
    await new Promise((r) => setTimeout(r, seconds * 1000))
    const end = { at: Date.now(), samples: await stored(), cpu: pids.map(cpuSeconds) }
    running = false
    const wall = (end.at - start.at) / 1000
    return {
      rate: (sum(end.samples) - sum(start.samples)) / wall,
      cpu: pids.map((_, i) => ((end.cpu[i]! - start.cpu[i]!) / wall) * 100),
      busy: end.samples.map((n, i) =>
        Math.round(((n - start.samples[i]!) / Math.max(1, sum(end.samples) - sum(start.samples))) * EDGES),
      ),
    }
  } finally {
    running = false
    for (const e of edges) await e.uplink.stop()
    for (const e of edges) e.outbox.close()
    await park.stop()
  }
}

/** Keeps ≤ 50 batches waiting in one edge's outbox, its own points (edge k: points k·2500 …). */
function feed(outbox: Outbox, k: number, t0: number, running: () => boolean, kick: () => void): void {
  let round = 0
  const step = () => {
    if (!running()) return
    if (outbox.stats().batches < 50) {
      const batch: Sample[] = readings(POINTS_PER_EDGE, 1_000, round++, t0).map((s) => ({
        ...s,
        point: s.point.replace('shilian.', `shilian.e${k}.`),
      }))
      outbox.append(batch)
      kick()
      setImmediate(step)
    } else setTimeout(step, 2)
  }
  step()
}
