import { mkdirSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { stringify } from 'yaml'
import { openSqliteOutbox } from '../../edge/outbox/sqlite-outbox.ts'
import { startChild, startParklink, type Child } from '../util/child.ts'
import { freePort } from '../util/ports.ts'
import { waitFor } from '../util/wait.ts'
import { cpuSeconds } from './proc.ts'
import { quantile, result, type BenchResult } from './table.ts'

/**
 * (9) OPC UA subscriptions at scale (issue 14): `tags` Double variables on a node-opcua server
 * (its own process, opcua-load-server.ts), all changing once a second, read by the real
 * `parklink edge` process once through monitored items (mode subscribe, batched into one outbox
 * commit per flush) and once by polled reads (mode poll, pollMs 1000), one after the other. The
 * uplink points where no broker listens, so everything stays in the outbox, which is what is
 * counted afterwards (the batches committed in the measured window): commits per second (batches written in one transaction share their
 * created_at), samples per second, and latency from each sample's source time (the server's
 * setValueFromSource) to its commit. Edge CPU from /proc, in % of one core.
 */
export interface OpcuaBenchOptions {
  dir: string
  seconds: number
  tags: number
  log?: (line: string) => void
}

interface ModeFigures {
  cpuPct: number
  serverCpuPct: number
  commitsPerS: number
  samplesPerS: number
  p50: number
  p95: number
}

export async function benchOpcuaSubscription(o: OpcuaBenchOptions): Promise<BenchResult[]> {
  const say = o.log ?? ((line: string) => console.log(line))
  const port = await freePort()
  const server = startChild('opcua-load-server', process.execPath, [
    '--import',
    'tsx',
    new URL('./opcua-load-server.ts', import.meta.url).pathname,
    String(port),
    String(o.tags),
  ])
  try {
    await waitFor(() => server.output().includes('ready'), {
      timeoutMs: 120_000,
      message: () => `the OPC UA load server did not start\n${server.output().slice(-3000)}`,
    })
    const serverPid = server.proc.pid!
    const sub = await runMode(o, port, serverPid, 'subscribe', say)
    const poll = await runMode(o, port, serverPid, 'poll', say)
    const name = (what: string) => `opcua ${o.tags} tags @1 Hz, subscribe (baseline: poll): ${what}`
    return [
      result(name('edge CPU'), sub.cpuPct, '% core', { baseline: poll.cpuPct }),
      // The server's share tells whether it, not the edge, limited the rate on this machine.
      result(name('server CPU'), sub.serverCpuPct, '% core', { baseline: poll.serverCpuPct }),
      result(name('outbox commits/s'), sub.commitsPerS, '1/s', {
        baseline: poll.commitsPerS,
        target: { op: '<=', value: 10 },
      }),
      result(name('samples/s in outbox'), sub.samplesPerS, '1/s', { baseline: poll.samplesPerS }),
      result(name('source → outbox p50'), sub.p50, 'ms', { baseline: poll.p50 }),
      result(name('source → outbox p95'), sub.p95, 'ms', { baseline: poll.p95, target: { op: '<=', value: 2_000 } }),
    ]
  } finally {
    await server.kill('SIGTERM')
  }
}

async function runMode(
  o: OpcuaBenchOptions,
  port: number,
  serverPid: number,
  mode: 'subscribe' | 'poll',
  say: (line: string) => void,
): Promise<ModeFigures> {
  const dir = path.join(o.dir, `opcua-${mode}`)
  mkdirSync(dir, { recursive: true })
  const config = {
    site: 'bench',
    edge: 'opcua-01',
    dataDir: path.join(dir, 'data'),
    uplink: { url: `mqtt://127.0.0.1:${await freePort()}` },
    devices: [
      {
        id: 'bench-dcs',
        kind: 'opcua',
        endpoint: `opc.tcp://127.0.0.1:${port}/UA/Bench`,
        acceptUnknownServerCertificate: true,
        mode,
        // samplingIntervalMs 0: exception-based (the server reports each change as it is set), so
        // the server does not run a sampling timer per item; publishing stays at the default 1 s.
        pollMs: 1_000,
        publishingIntervalMs: 1_000,
        samplingIntervalMs: 0,
        queueSize: 1,
        timeoutMs: 60_000,
        points: Array.from({ length: o.tags }, (_, i) => ({ id: `bench.tag${i}`, nodeId: `ns=1;s=Tag${i}` })),
      },
    ],
  }
  const file = path.join(dir, 'edge.yaml')
  writeFileSync(file, stringify(config))
  const edge = startParklink(`parklink-edge-${mode}`, ['edge', '--config', file], { PARKLINK_LOG_LEVEL: 'error' })
  let w: { start: number; end: number; cpu: number; serverCpu: number }
  try {
    w = await measure(edge, serverPid, path.join(config.dataDir, 'outbox.db'), o)
  } finally {
    await edge.kill('SIGTERM')
  }
  const figures = readOutbox(path.join(config.dataDir, 'outbox.db'), w.start, w.end)
  const seconds = (w.end - w.start) / 1000
  const out = {
    cpuPct: (w.cpu / seconds) * 100,
    serverCpuPct: (w.serverCpu / seconds) * 100,
    commitsPerS: figures.commits / seconds,
    samplesPerS: figures.samples / seconds,
    p50: quantile(figures.latencies, 0.5),
    p95: quantile(figures.latencies, 0.95),
  }
  say(`opcua ${mode}: ${JSON.stringify(out)}`)
  return out
}

/** Warm-up until the outbox holds a full second of every tag (subscriptions made, first values in), then the window. */
async function measure(edge: Child, serverPid: number, outboxFile: string, o: OpcuaBenchOptions) {
  const pid = edge.proc.pid!
  await waitFor(
    () => {
      try {
        const box = openSqliteOutbox({ file: outboxFile })
        try {
          return box.stats().samples >= 2 * o.tags
        } finally {
          box.close()
        }
      } catch {
        return false
      }
    },
    {
      timeoutMs: 180_000,
      intervalMs: 500,
      message: () => `the edge did not fill its outbox\n${edge.output().slice(-3000)}`,
    },
  )
  const start = { at: Date.now(), cpu: cpuSeconds(pid), server: cpuSeconds(serverPid) }
  await new Promise((r) => setTimeout(r, o.seconds * 1000))
  return {
    start: start.at,
    end: Date.now(),
    cpu: cpuSeconds(pid) - start.cpu,
    serverCpu: cpuSeconds(serverPid) - start.server,
  }
}

function readOutbox(file: string, start: number, end: number) {
  const outbox = openSqliteOutbox({ file })
  const commits = new Set<number>()
  const latencies: number[] = []
  let samples = 0
  try {
    for (let seq = 0; ; ) {
      const batches = outbox.peek(seq, 200)
      if (batches.length === 0) break
      for (const b of batches) {
        seq = b.seq
        if (b.createdAt < start || b.createdAt >= end) continue
        commits.add(b.createdAt)
        samples += b.samples.length
        for (const s of b.samples) latencies.push(b.createdAt - s.ts)
      }
    }
  } finally {
    outbox.close()
  }
  return { commits: commits.size, samples, latencies }
}
