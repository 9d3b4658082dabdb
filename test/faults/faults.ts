import type { Child } from '../util/child.ts'
import { startChild } from '../util/child.ts'
import type { ShippedMosquitto } from '../util/shipped-mosquitto.ts'
import type { TcpProxy } from '../util/tcp-proxy.ts'
import { waitFor } from '../util/wait.ts'
import type { CloudDatabase, StoreEngine } from './cloud-database.ts'
import { restartDatabase, restartPlan } from './db-restart.ts'
import { blackhole } from './blackhole.ts'
import { fillEdgeDisk, replaceEdgeOutbox, stepEdgeClock, type EdgeFaultTargets } from './edge-faults.ts'

/**
 * The faults the campaign injects, and how. The database's own fault depends on the cloud's
 * store engine: embedded SQLite has no server to restart (that is 'kill -9 cloud'); what it can
 * do to a running cloud is another process holding the write lock ('database locked'). On
 * PostgreSQL the server itself goes down and comes back ('restart the database', db-restart.ts).
 */
export type FaultKind =
  | 'kill -9 broker'
  | 'broker down > keepalive'
  | 'kill -9 cloud'
  | 'kill -9 edge'
  | 'link drop'
  | 'link blackhole (> keepalive)'
  | 'database locked'
  | 'restart the database'
  | 'edge clock stepped back'
  | 'edge clock stepped forward'
  | 'edge disk full'
  | 'outbox deleted and replaced'

/**
 * The random choice on SQLite: the process kills and link drops twice as likely as the long
 * faults. faultChoices gives each engine's.
 */
export const FAULT_CHOICES: readonly FaultKind[] = [
  'kill -9 broker',
  'kill -9 broker',
  'kill -9 cloud',
  'kill -9 cloud',
  'kill -9 edge',
  'kill -9 edge',
  'broker down > keepalive',
  'link drop',
  'link drop',
  'link blackhole (> keepalive)',
  'database locked',
  'edge clock stepped back',
  'edge clock stepped forward',
  'edge disk full',
  'outbox deleted and replaced',
]

/**
 * The choice per engine: on PostgreSQL 'restart the database' takes the place of 'database
 * locked', at the same index of a list of the same length, and both draw one number (their
 * duration or restart plan). So a seed draws the same kinds at the same moments with the same
 * durations on both engines, with the database's own fault in the same slots, and a SQLite seed
 * replays as it did before PostgreSQL came.
 */
export function faultChoices(engine: StoreEngine): readonly FaultKind[] {
  if (engine === 'sqlite') return FAULT_CHOICES
  return FAULT_CHOICES.map((k) => (k === 'database locked' ? 'restart the database' : k))
}

/** A zero count for each kind of a choice list (the kinds the summary table lists). */
export const noFaults = (choices: readonly FaultKind[] = FAULT_CHOICES): Record<FaultKind, number> =>
  Object.fromEntries([...new Set(choices)].map((k) => [k, 0])) as Record<FaultKind, number>

export interface FaultTargets extends EdgeFaultTargets {
  /** The shipped Mosquitto (persistence on): SIGKILL keeps its last autosave, SIGTERM saves first. */
  broker: Pick<ShippedMosquitto, 'stop' | 'start'>
  /** sessionPresent of each cloud MQTT connect so far (from its log). */
  cloudConnects: readonly boolean[]
  /** Between the edge and mosquitto (the cloud connects to mosquitto directly). */
  proxy: TcpProxy
  restartCloud(pauseMs: number): Promise<void>
  /** The cloud's database: the SQLite file to lock, or the PostgreSQL server to restart. */
  database: CloudDatabase
  /** The seqs of the cloud's 'batch not stored' log lines so far. */
  failedSeqs: readonly number[]
  /** The seq the cloud has acked the edge through, -1 when it cannot tell. */
  acked(): Promise<number>
  /**
   * The edge's MQTT keepalive (fastTimeouts in deploy/demo/configs.ts: 5 s). mqtt.js 5 sends
   * PINGREQ after one keepalive without a packet RECEIVED and closes the connection at 1.5 ×
   * keepalive (its KeepaliveManager; outgoing publishes do not postpone it). The broker allows
   * the same 1.5 × before it publishes the will (MQTT 3.1.1 §3.1.2.10).
   */
  edgeKeepaliveS: number
}

export interface FaultTally {
  /** Blackholes during which the edge closed its connection by itself, before the heal. */
  blackholesNoticed: number
  problems: string[]
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

/**
 * Injects one fault and returns once it is over (the faulty part restarted or healed). Every
 * duration is drawn from `random` whatever happens, so a seed replays the same faults.
 */
export async function injectFault(
  kind: FaultKind,
  t: FaultTargets,
  random: () => number,
  tally: FaultTally,
): Promise<void> {
  switch (kind) {
    case 'kill -9 broker':
      await t.broker.stop('SIGKILL')
      await sleep(200 + random() * 2_000)
      return t.broker.start()
    case 'broker down > keepalive':
      return brokerDown(t, tally)
    case 'kill -9 cloud':
      return t.restartCloud(100 + random() * 1_500)
    case 'kill -9 edge':
      return t.restartEdge(100 + random() * 1_500)
    case 'link drop': {
      const ms = 1_000 + random() * 7_000
      t.proxy.setMode('drop')
      await sleep(ms)
      t.proxy.setMode('pass')
      return
    }
    case 'link blackhole (> keepalive)':
      // mqtt.js pings after a keepalive of silence and gives up when the next tick finds no PINGRESP
      // (MQTT 3.1.1 §3.1.2.10 leaves the client "a reasonable amount of time"): up to 2 × keepalive.
      return blackhole(t, t.edgeKeepaliveS * 2_000 + 1_500 + random() * 4_000, tally)
    case 'database locked':
      return lockDatabase(t, 2_000 + random() * 7_000, tally)
    case 'restart the database':
      return restartTheDatabase(t, random(), tally)
    case 'edge clock stepped back':
      return stepEdgeClock(t, -Math.round((367 + random() * 33) * 86_400_000)) // an RTC reset: a year and more back
    case 'edge clock stepped forward':
      return stepEdgeClock(t, Math.round(420_000 + random() * 1_200_000)) // 7 to 27 min ahead
    case 'edge disk full':
      return fillEdgeDisk(t)
    case 'outbox deleted and replaced':
      return replaceEdgeOutbox(t, 100 + random() * 1_500)
  }
}

/**
 * A broker stopped as systemd stops it (SIGTERM: it saves its persistence file) for longer than
 * the keepalive (the wills fire after 7.5 s): once it is back, the cloud's session (clean=false,
 * cloud/ingest/mqtt.ts) must still be there — its next connect says sessionPresent.
 */
async function brokerDown(t: FaultTargets, tally: FaultTally): Promise<void> {
  const connects = t.cloudConnects.length
  await t.broker.stop('SIGTERM')
  await sleep(8_000)
  await t.broker.start()
  await waitFor(() => t.cloudConnects.length > connects, {
    timeoutMs: 60_000,
    message: () => 'the cloud never reconnected after the broker restart',
  })
    .then(() => {
      if (t.cloudConnects.at(-1)) t.say("  the broker kept the cloud's persisted session (sessionPresent)")
      else tally.problems.push("the broker lost the cloud's session across a clean restart (persistence)")
    })
    .catch((err: Error) => void tally.problems.push(err.message))
}

/** Another process holds the cloud database's write lock for `ms` (see db-locker.ts). SQLite only. */
async function lockDatabase(t: FaultTargets, ms: number, tally: FaultTally): Promise<void> {
  if (t.database.engine !== 'sqlite')
    return void tally.problems.push(`'database locked' is a SQLite fault; the cloud stores into ${t.database.engine}`)
  const script = new URL('./db-locker.ts', import.meta.url).pathname
  const locker: Child = startChild('db-locker', process.execPath, [
    '--import',
    'tsx',
    script,
    t.database.file,
    String(Math.round(ms)),
  ])
  try {
    await waitFor(() => locker.output().includes('locked') || locker.proc.exitCode !== null, {
      timeoutMs: 60_000,
      message: () => `the locker never took the lock: ${locker.output()}`,
    })
    const code = await locker.exited
    if (code !== 0 || !locker.output().includes('released'))
      tally.problems.push(`the database locker failed (exit ${code}): ${locker.output().slice(-500)}`)
    else t.say(`  the cloud database was locked for ${Math.round(ms)} ms`)
  } finally {
    await locker.kill('SIGKILL')
  }
}

/** The cloud's PostgreSQL server stopped (mostly as a crash) and started again (db-restart.ts). PostgreSQL only. */
async function restartTheDatabase(t: FaultTargets, u: number, tally: FaultTally): Promise<void> {
  if (t.database.engine !== 'postgres')
    return void tally.problems.push(
      `'restart the database' needs a database server; the cloud stores into ${t.database.engine}`,
    )
  await restartDatabase(
    { server: t.database.server, failedSeqs: t.failedSeqs, acked: t.acked, say: t.say, problems: tally.problems },
    restartPlan(u),
  )
}
