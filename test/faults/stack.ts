import { execFileSync } from 'node:child_process'
import { mkdirSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { stringify } from 'yaml'
import { addKey } from '../../deploy/accounts.ts'
import { cloudConfigFor, edgeConfigFor } from '../../deploy/demo/configs.ts'
import { CLOCK_OFFSET_ENV, OUTBOX_JOURNAL_ENV } from '../../edge/test-hooks.ts'
import { DEFAULT_CLOUD_USER, edgeUser } from '../../shared/wire/acl.ts'
import { startPlant } from '../sim/plant.ts'
import { bearer } from '../util/http.ts'
import { freePort } from '../util/ports.ts'
import { startShippedMosquitto, type ShippedMosquitto } from '../util/shipped-mosquitto.ts'
import { startTcpProxy, type TcpProxy } from '../util/tcp-proxy.ts'
import type { Child } from '../util/child.ts'
import { supervise, type Supervised } from './supervise.ts'
import { openCampaignDatabase, type CloudDatabase, type StoreEngine } from './cloud-database.ts'

/**
 * The system under the campaign, as a park runs it: the SHIPPED Mosquitto (deploy/mosquitto:
 * TLS with client certificates from a throwaway park PKI made by `parklink pki`, the ACL,
 * persistence; test/util/shipped-mosquitto.ts), a real cloud and a real edge as separate
 * `parklink` processes kept running as systemd would, each logging in with its own certificate
 * (its CN is its broker identity), and the Modbus plant
 * simulator. The edge reaches the broker through a TCP proxy that can cut its link (TLS passes
 * through it untouched). The edge's data directory is a small tmpfs when this user may mount
 * one (root, as in CI), so the campaign can fill its disk; the edge runs with the test hooks
 * (edge/test-hooks.ts): a clock offset file and the outbox journal. The cloud stores into its
 * embedded SQLite file, or into a throwaway PostgreSQL cluster (`engine`, cloud-database.ts).
 */
export const SITE = 'faults'
export const EDGE = 'faults-01'
/** The edge's data directory's file system (room for the 16 MiB outbox reserve and a backlog). */
export const EDGE_TMPFS_BYTES = 48 * 1024 * 1024

/** A cloud replica (issue 16, `--replicas N`): its process, API port and broker user. */
export interface Replica {
  name: string
  process: Supervised
  httpPort: number
}

/** The broker user of replica i (the first is the shipped default user). */
export const replicaUser = (i: number) => (i === 0 ? DEFAULT_CLOUD_USER : `${DEFAULT_CLOUD_USER}-${i + 1}`)

export interface Stack {
  broker: ShippedMosquitto
  proxy: TcpProxy
  /** The first replica's process (the only one without --replicas). */
  cloud: Supervised
  /** Every cloud replica (one without --replicas; each its own broker user, API port and data dir, one database). */
  replicas: Replica[]
  edge: Supervised
  httpPort: number
  auth: Record<string, string>
  edgeDataDir: string
  /** Whether edgeDataDir is a tmpfs of EDGE_TMPFS_BYTES (else: the disk-full fault cannot run). */
  edgeDiskIsTmpfs: boolean
  outboxFile: string
  /** The cloud's database (its engine, and what the campaign reads of it). */
  database: CloudDatabase
  journalFile: string
  clockOffsetFile: string
  edgeKeepaliveS: number
  /**
   * Cloud log lines that say a batch was not stored (and the seq each names); the cloud's MQTT
   * (re)connections and whether its session was kept.
   */
  cloudLog: { storeFailures: number; failedSeqs: number[]; connects: boolean[] }
  dispose(): Promise<void>
}

export async function startStack(dir: string, engine: StoreEngine = 'sqlite', replicaCount = 1): Promise<Stack> {
  if (replicaCount > 1 && engine !== 'postgres') throw new Error('several cloud replicas need --store postgres')
  const db = await openCampaignDatabase(engine, path.join(dir, 'cloud'))
  // The shipped config: each client logs in with its certificate from the run's park PKI (`parklink pki`).
  // Several replicas: the ACL generated for their users (shared/wire/acl.ts), one user block each.
  const users = Array.from({ length: replicaCount }, (_, i) => replicaUser(i))
  const broker = await startShippedMosquitto(replicaCount > 1 ? { cloudUsers: users } : {})
  const edgeFiles = broker.enrol('edge', edgeUser(SITE, EDGE)).dir
  const tlsOf = (d: string) => ({
    ca: path.join(d, 'ca.crt'),
    cert: path.join(d, 'client.crt'),
    key: path.join(d, 'client.key'),
  })
  const plant = await startPlant({ port: 0, tickMs: 250 })
  const brokerPort = Number(new URL(broker.url).port)
  // Only the edge's link goes through the proxy: the cloud connects to the broker directly.
  const proxy = await startTcpProxy({ port: brokerPort })
  const httpPort = await freePort()
  const edgeDataDir = path.join(dir, 'edge')
  const edgeDiskIsTmpfs = mountTmpfs(edgeDataDir)
  const edgeConfig = edgeConfigFor({
    site: SITE,
    edge: EDGE,
    dataDir: edgeDataDir,
    mqttUrl: `mqtts://127.0.0.1:${proxy.port}`,
    plantPort: plant.port,
    pollMs: 100,
    fastTimeouts: true,
  })
  writeFileSync(
    path.join(dir, 'edge.yaml'),
    stringify({ ...edgeConfig, uplink: { ...edgeConfig.uplink, tls: tlsOf(edgeFiles) } }),
  )
  const replicaFiles: Array<{ user: string; file: string; httpPort: number }> = []
  for (const [i, user] of users.entries()) {
    const port = i === 0 ? httpPort : await freePort()
    const cloudConfig = cloudConfigFor({
      dataDir: i === 0 ? './cloud' : `./cloud-${i + 1}`,
      httpPort: port,
      mqttUrl: broker.url,
      clientId: user,
    })
    const file = path.join(dir, i === 0 ? 'cloud.yaml' : `cloud-${i + 1}.yaml`)
    // info: the cloud's "mqtt connected" lines say whether the broker kept its session.
    writeFileSync(
      file,
      stringify({
        ...cloudConfig,
        mqtt: { ...cloudConfig.mqtt, tls: tlsOf(broker.enrol('cloud', user).dir) },
        log: { level: 'info' },
        ...(db.storeConfig ? { store: db.storeConfig } : {}),
      }),
    )
    replicaFiles.push({ user, file, httpPort: port })
  }
  // The API needs a credential: a key made with the bootstrap command's code, as on a new installation.
  const auth = bearer(
    (await addKey(path.join(dir, 'cloud.yaml'), { name: 'fault-campaign', role: 'park_operator' })).key,
  )
  const cloudLog = { storeFailures: 0, failedSeqs: [] as number[], connects: [] as boolean[] }
  const replicas: Replica[] = replicaFiles.map((r, i) => ({
    name: i === 0 ? 'cloud' : `cloud-${i + 1}`,
    httpPort: r.httpPort,
    process: supervise(i === 0 ? 'cloud' : `cloud-${i + 1}`, ['cloud', '--config', r.file], {
      onStart: (child) => watchCloudLog(child, cloudLog),
    }),
  }))
  const cloud = replicas[0]!.process
  const journalFile = path.join(dir, 'outbox-journal.jsonl')
  const clockOffsetFile = path.join(dir, 'edge-clock-offset')
  writeFileSync(clockOffsetFile, '0')
  const edge = supervise('edge', ['edge', '--config', path.join(dir, 'edge.yaml')], {
    env: { NODE_ENV: 'test', [OUTBOX_JOURNAL_ENV]: journalFile, [CLOCK_OFFSET_ENV]: clockOffsetFile },
  })
  return {
    broker,
    proxy,
    cloud,
    replicas,
    edge,
    httpPort,
    auth,
    edgeDataDir,
    edgeDiskIsTmpfs,
    journalFile,
    clockOffsetFile,
    cloudLog,
    outboxFile: path.join(edgeDataDir, 'outbox.db'),
    database: db.database,
    edgeKeepaliveS: edgeConfig.uplink.keepaliveS ?? 30,
    async dispose() {
      await edge.stop('SIGKILL')
      for (const r of replicas) await r.process.stop('SIGKILL')
      await plant.stop()
      await proxy.close()
      await broker.dispose()
      await db.dispose()
      if (edgeDiskIsTmpfs) execFileSync('umount', ['-l', edgeDataDir], { stdio: 'ignore' })
    },
  }
}

/** A tmpfs on `dir` when this user may mount (root); false (a plain directory) otherwise. */
function mountTmpfs(dir: string): boolean {
  mkdirSync(dir, { recursive: true })
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${EDGE_TMPFS_BYTES}`, 'tmpfs', dir], { stdio: 'ignore' })
    return true
  } catch {
    return false
  }
}

/** The cloud's pino JSON lines (stdout), across restarts: store failures, and each MQTT connect's sessionPresent. */
function watchCloudLog(child: Child, into: Stack['cloudLog']): void {
  let partial = ''
  child.proc.stdout?.on('data', (b: Buffer) => {
    const lines = (partial + b.toString('utf8')).split('\n')
    partial = lines.pop() ?? ''
    for (const l of lines) {
      if (l.includes('batch not stored')) {
        into.storeFailures++
        const seq = loggedSeq(l)
        if (seq !== undefined) into.failedSeqs.push(seq)
      }
      if (l.includes('mqtt connected and subscribed')) into.connects.push(l.includes('"sessionPresent":true'))
    }
  })
}

/** The `seq` of a pino JSON line (undefined when the line is not JSON or names none). */
function loggedSeq(line: string): number | undefined {
  try {
    const seq = (JSON.parse(line) as { seq?: unknown }).seq
    return typeof seq === 'number' ? seq : undefined
  } catch {
    return undefined
  }
}
