import { writeFileSync } from 'node:fs'
import path from 'node:path'
import Database from 'better-sqlite3'
import { stringify } from 'yaml'
import { cloudConfigFor, edgeConfigFor } from '../../deploy/demo/configs.ts'
import { startPlant } from '../sim/plant.ts'
import type { Child } from '../util/child.ts'
import { addKey } from '../../deploy/accounts.ts'
import { bearer, tryGetJson } from '../util/http.ts'
import { createMosquitto } from '../util/mosquitto.ts'
import { freePort } from '../util/ports.ts'
import { startTcpProxy } from '../util/tcp-proxy.ts'
import { waitFor } from '../util/wait.ts'
import { supervise } from './supervise.ts'
import { FAULT_CHOICES, injectFault, noFaults, type FaultKind, type FaultTally } from './faults.ts'

export type { FaultKind } from './faults.ts'

export interface CampaignResult {
  faults: Record<FaultKind, number>
  /** Blackholes the edge noticed by itself (keepalive) before the link healed. */
  blackholesNoticed: number
  /** Batches the cloud could not store (logged, not acked) — e.g. SQLITE_BUSY under 'database locked'. */
  cloudStoreFailures: number
  /** The cloud or the edge exited without being killed, and was restarted as systemd would. */
  selfExits: string[]
  /** Faults that did not happen as meant (a locker that failed, a blackhole the edge missed). */
  problems: string[]
  assigned: number
  stored: number
  heldAtEnd: number
  inGaps: number
  lost: number
  duplicateSamples: number
  incompleteBatches: number
  seconds: number
}

const EDGE = 'faults-01'
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

/** Counts the cloud's "batch not stored" log lines (pino JSON on stdout), across restarts. */
function countStoreFailures(child: Child, add: (n: number) => void): void {
  let partial = ''
  child.proc.stdout?.on('data', (b: Buffer) => {
    const lines = (partial + b.toString('utf8')).split('\n')
    partial = lines.pop() ?? ''
    add(lines.filter((l) => l.includes('batch not stored')).length)
  })
}

/**
 * While the Modbus plant simulator streams through a real edge, Debian's mosquitto (no
 * persistence) and a real cloud (separate processes), inject `count` faults at random times
 * (faults.ts; the edge reaches mosquitto through a TCP proxy that can cut its link),
 * then let everything drain and compare: every seq the edge assigned is stored, still held, or
 * inside a gap record; no sample is stored twice; every stored batch is complete.
 */
export async function faultCampaign(dir: string, count: number, maxSeconds: number, random: () => number, say: (line: string) => void): Promise<CampaignResult> {
  const started = Date.now()
  const mqttPort = await freePort()
  const httpPort = await freePort()
  const mosquitto = createMosquitto(mqttPort)
  await mosquitto.start()
  const plant = await startPlant({ port: 0, tickMs: 250 })
  const mqttUrl = `mqtt://127.0.0.1:${mqttPort}`
  // Only the edge's link goes through the proxy: the cloud connects to mosquitto directly.
  const proxy = await startTcpProxy({ port: mqttPort })
  const edgeConfig = edgeConfigFor({ site: 'faults', edge: EDGE, dataDir: './edge', mqttUrl: `mqtt://127.0.0.1:${proxy.port}`, plantPort: plant.port, pollMs: 100, fastTimeouts: true })
  writeFileSync(path.join(dir, 'edge.yaml'), stringify(edgeConfig))
  writeFileSync(path.join(dir, 'cloud.yaml'), stringify({ ...cloudConfigFor({ dataDir: './cloud', httpPort, mqttUrl, clientId: 'parklink-cloud-faults' }), log: { level: 'warn' } }))
  const cloudArgs = ['cloud', '--config', path.join(dir, 'cloud.yaml')]
  // The API needs a credential: a key made with the bootstrap command's code, as on a new installation.
  const auth = bearer((await addKey(path.join(dir, 'cloud.yaml'), { name: 'fault-campaign', role: 'park_operator' })).key)
  const edgeArgs = ['edge', '--config', path.join(dir, 'edge.yaml')]
  let cloudStoreFailures = 0
  const cloud = supervise('cloud', cloudArgs, (child) => countStoreFailures(child, (n) => (cloudStoreFailures += n)))
  const edge = supervise('edge', edgeArgs)
  const outboxFile = path.join(dir, 'edge', 'outbox.db')
  const faults = noFaults()
  const tally: FaultTally = { blackholesNoticed: 0, problems: [] }
  const targets = {
    mosquitto,
    proxy,
    cloudDbFile: path.join(dir, 'cloud', 'cloud.db'),
    edgeKeepaliveS: edgeConfig.uplink.keepaliveS ?? 30,
    say,
    restartCloud: (pauseMs: number) => cloud.killAndRestart(pauseMs),
    restartEdge: (pauseMs: number) => edge.killAndRestart(pauseMs),
  }
  const logs = (chars: number) => `${cloud.current().output().slice(-chars)}\n${edge.current().output().slice(-chars)}`
  const api = `http://127.0.0.1:${httpPort}/api/v1/edges`
  const acked = async () => (await tryGetJson<Array<{ id: string; ackedThrough: number }>>(api, auth))?.find((e) => e.id === EDGE)?.ackedThrough ?? -1
  const lastSeq = () => {
    const db = new Database(outboxFile, { readonly: true, fileMustExist: true })
    try {
      return (db.prepare("SELECT seq FROM sqlite_sequence WHERE name = 'batches'").get() as { seq: number } | undefined)?.seq ?? 0
    } finally {
      db.close()
    }
  }
  try {
    await waitFor(async () => (await acked()) > 0, { timeoutMs: 60_000, message: () => `nothing delivered before the faults\n${logs(2000)}` })
    for (let n = 0; n < count && Date.now() - started < maxSeconds * 1000; n++) {
      await sleep(300 + random() * 2_000)
      const kind = FAULT_CHOICES[Math.floor(random() * FAULT_CHOICES.length)]!
      faults[kind]++
      say(`fault ${n + 1}/${count}: ${kind}`)
      await injectFault(kind, targets, random, tally)
    }
    say('faults done; draining')
    const target = lastSeq()
    await waitFor(async () => (await acked()) >= target, { timeoutMs: 120_000, intervalMs: 250, message: () => `the cloud never acked through ${target} after the faults\n${logs(3000)}` })
    await edge.stop('SIGTERM')
    await cloud.stop('SIGTERM')
    return { faults, ...tally, cloudStoreFailures, selfExits: [...cloud.selfExits, ...edge.selfExits], ...compare(outboxFile, path.join(dir, 'cloud', 'cloud.db')), seconds: Math.round((Date.now() - started) / 1000) }
  } finally {
    await edge.stop('SIGKILL')
    await cloud.stop('SIGKILL')
    await plant.stop()
    await proxy.close()
    await mosquitto.dispose()
  }
}

function compare(outboxFile: string, cloudFile: string) {
  const outbox = new Database(outboxFile, { readonly: true })
  const last = (outbox.prepare("SELECT seq FROM sqlite_sequence WHERE name = 'batches'").get() as { seq: number }).seq
  const first = (outbox.prepare("SELECT value FROM meta WHERE key = 'first_seq'").get() as { value: number }).value
  const held = new Set((outbox.prepare('SELECT seq FROM batches').all() as Array<{ seq: number }>).map((r) => r.seq))
  outbox.close()
  const store = new Database(cloudFile, { readonly: true })
  const stored = new Set((store.prepare('SELECT seq FROM batches WHERE edge = ?').all(EDGE) as Array<{ seq: number }>).map((r) => r.seq))
  const gaps = store.prepare('SELECT from_seq AS f, through_seq AS t FROM gaps WHERE edge = ?').all(EDGE) as Array<{ f: number; t: number }>
  const duplicateSamples = (store.prepare('SELECT COUNT(*) AS n FROM (SELECT point, ts FROM samples WHERE edge = ? GROUP BY point, ts HAVING COUNT(*) > 1)').get(EDGE) as { n: number }).n
  const incompleteBatches = (store.prepare(`SELECT COUNT(*) AS n FROM (SELECT b.seq FROM batches b LEFT JOIN samples s ON s.edge = b.edge AND s.seq = b.seq
    WHERE b.edge = ? GROUP BY b.seq HAVING b.sample_count <> COUNT(s.seq))`).get(EDGE) as { n: number }).n
  store.close()
  let lost = 0
  let inGaps = 0
  for (let seq = first; seq <= last; seq++) {
    if (stored.has(seq) || held.has(seq)) continue
    if (gaps.some((g) => g.f <= seq && seq <= g.t)) inGaps++
    else lost++
  }
  return { assigned: last - first + 1, stored: stored.size, heldAtEnd: held.size, inGaps, lost, duplicateSamples, incompleteBatches }
}
