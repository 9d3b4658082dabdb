import { existsSync } from 'node:fs'
import Database from 'better-sqlite3'
import { tryGetJson } from '../util/http.ts'
import { waitFor } from '../util/wait.ts'
import { checkContent, type ContentCheck } from './content-check.ts'
import { untilReached } from './drain.ts'
import { faultChoices, injectFault, noFaults, type FaultKind, type FaultTally } from './faults.ts'
import type { StoreEngine } from './cloud-database.ts'
import { journalMark, journalSince, readJournal } from './journal.ts'
import type { DeletedRefusals } from './edge-faults.ts'
import { EDGE, startStack, type Stack } from './stack.ts'
import { summarize, type FaultMark, type KindRow } from './summary.ts'
import { startReplicaKills } from './replica-kills.ts'
import { mulberry32 } from '../sim/plant.ts'

export type { FaultKind } from './faults.ts'

export interface CampaignResult {
  /** Per kind of the engine's choice (faultChoices): how many were injected. */
  faults: Record<FaultKind, number>
  /** Blackholes the edge noticed by itself (keepalive) before the link healed. */
  blackholesNoticed: number
  /** Batches the cloud could not store (logged, not acked) — e.g. SQLITE_BUSY under 'database locked', a lost connection under 'restart the database'. */
  cloudStoreFailures: number
  /** The cloud or the edge exited without being killed, and was restarted as systemd would. */
  selfExits: string[]
  /** Faults that did not happen as meant or left no trace (a locker that failed, a blackhole the edge missed, a clock step without CLOCK…). */
  problems: string[]
  content: ContentCheck
  /** Per fault kind: count, lost, duplicated, altered, in gaps, gap records. */
  table: KindRow[]
  totals: {
    generated: number
    stored: number
    lost: number
    duplicated: number
    altered: number
    inGaps: number
    heldAtEnd: number
  }
  /**
   * Samples the outbox refused on a full disk (journal), the samples in the cloud's disk_full gap
   * records and those whose refusal was deleted with an outbox before it reached the cloud: the
   * first must equal the sum of the other two.
   */
  diskFull: { refused: number; inGapRecords: number; deletedWithOutbox: number }
  /** Journal lines cut by a SIGKILL. */
  tornJournalLines: number
  edgeDiskIsTmpfs: boolean
  seconds: number
  /** `replicas` ≥ 2: the takeover time of each kill of the edge's owner, ms (null: none within 120 s). */
  takeovers: Array<number | null>
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

export interface CampaignOptions {
  count: number
  maxSeconds: number
  random: () => number
  say: (line: string) => void
  /** The cloud's store engine (default SQLite). */
  engine?: StoreEngine
  /** Draw from these kinds alone. */
  only?: readonly FaultKind[]
  /**
   * Cloud replicas (issue 16; PostgreSQL only): with 2 or more, the owner of the edge is killed
   * every 20–40 s (replica-kills.ts) and 'kill -9 cloud' leaves the draw (that loop is it).
   */
  replicas?: number
}

/**
 * While the Modbus plant simulator streams through a real edge, the shipped Mosquitto and a real
 * cloud (stack.ts), inject `count` faults at random times (faults.ts, edge-faults.ts), then let
 * everything drain and compare what the edge generated (its outbox journal) with what the cloud
 * stored, batch by batch and by content hash (content-check.ts), on either store engine.
 */
export async function faultCampaign(dir: string, o: CampaignOptions): Promise<CampaignResult> {
  const { count, maxSeconds, random, say, only, engine = 'sqlite', replicas = 1 } = o
  const started = Date.now()
  const stack = await startStack(dir, engine, replicas)
  const faults = noFaults(faultChoices(engine))
  const tally: FaultTally = { blackholesNoticed: 0, problems: [] }
  const marks: FaultMark[] = []
  const deletedWithOutbox = new Set<string>()
  const refusalsDeletedWithOutbox: DeletedRefusals = { records: [], unnoted: 0 }
  const logs = (chars: number) =>
    `${stack.cloud.current().output().slice(-chars)}\n${stack.edge.current().output().slice(-chars)}`
  // Any live replica answers (they share the database); the first that does.
  const acked = async () => {
    for (const r of stack.replicas) {
      const edges = await tryGetJson<Array<{ id: string; ackedThrough: number }>>(
        `http://127.0.0.1:${r.httpPort}/api/v1/edges`,
        stack.auth,
      ).catch(() => null)
      if (edges) return edges.find((e) => e.id === EDGE)?.ackedThrough ?? -1
    }
    return -1
  }
  const targets = {
    deletedWithOutbox,
    refusalsDeletedWithOutbox,
    ...stack,
    edge: EDGE,
    say,
    problems: tally.problems,
    cloudConnects: stack.cloudLog.connects,
    stored: stack.database.reader,
    failedSeqs: stack.cloudLog.failedSeqs,
    acked,
    restartCloud: (pauseMs: number) => stack.cloud.killAndRestart(pauseMs),
    restartEdge: (pauseMs: number, whileStopped?: () => void) => stack.edge.killAndRestart(pauseMs, whileStopped),
    cutLink: (cut: boolean) => stack.proxy.setMode(cut ? 'drop' : 'pass'),
  }
  const choices = (only ?? faultChoices(engine)).filter((k) => replicas < 2 || k !== 'kill -9 cloud')
  let replicaKills: ReturnType<typeof startReplicaKills> | null = null
  // One fault at a time with the replica kills (each takeover is timed alone).
  let busy: Promise<unknown> = Promise.resolve()
  const alone = <T>(work: () => Promise<T>): Promise<T> => {
    const run = busy.then(work, work)
    busy = run.catch(() => {})
    return run
  }
  try {
    await waitFor(async () => (await acked()) > 0, {
      timeoutMs: 60_000,
      message: () => `nothing delivered before the faults\n${logs(2000)}`,
    })
    if (replicas >= 2)
      replicaKills = startReplicaKills({
        replicas: stack.replicas,
        edge: EDGE,
        acked,
        // A generator of its own, seeded from the campaign's: the faults' draws stay in order.
        random: mulberry32(Math.floor(random() * 2 ** 31)),
        say,
        alone,
      })
    for (let n = 0; n < count && Date.now() - started < maxSeconds * 1000; n++) {
      await sleep(300 + random() * 2_000)
      const kind = choices[Math.floor(random() * choices.length)]!
      faults[kind]++
      marks.push({ kind, journalAt: journalMark(stack.journalFile), at: Date.now() })
      say(`fault ${n + 1}/${count}: ${kind}`)
      await alone(() => injectFault(kind, targets, random, tally))
    }
    await replicaKills?.stop()
    say('faults done; draining')
    // The last fault may have restarted the edge: drain through a batch it wrote after that, so
    // what the restart carries (refusals noted with its first append) is in the target.
    const afterFaults = journalMark(stack.journalFile)
    await waitFor(() => journalSince(stack.journalFile, afterFaults).batches > 0, {
      timeoutMs: 60_000,
      intervalMs: 250,
      message: () => `the edge wrote no batch after the faults\n${logs(3000)}`,
    })
    // The drain waits as long as the cloud's acks advance (drain.ts): on a loaded machine a cloud
    // working through the faults' backlog takes the time it needs; one that stalls fails.
    const drainStarted = Date.now()
    const target = outboxState(stack).lastSeq
    const drained = await untilReached(acked, () => target, { stallMs: 60_000, totalMs: 600_000 })
    if (!drained.reached)
      throw new Error(
        `the cloud never acked through ${target} after the faults (acked through ${drained.last})\n${logs(3000)}`,
      )
    // Draining a long backlog, the cloud reaches the target behind live: what the edge wrote
    // meanwhile would still be held at the stop. Stop once the cloud has acked all the edge
    // wrote (still behind after the bound: the held count at the end tells by how much).
    const caughtUp = await untilReached(acked, () => outboxState(stack).lastSeq, { stallMs: 60_000, totalMs: 300_000 })
    if (!caughtUp.reached) say('  the cloud had not caught up with the edge at the stop')
    say(`  drained in ${Math.round((Date.now() - drainStarted) / 1000)} s`)
    await stack.edge.stop('SIGTERM')
    for (const r of stack.replicas) await r.process.stop('SIGTERM')
    return {
      takeovers: replicaKills?.takeovers ?? [],
      faults,
      ...tally,
      cloudStoreFailures: stack.cloudLog.storeFailures,
      selfExits: [...stack.replicas.flatMap((r) => r.process.selfExits), ...stack.edge.selfExits],
      ...(await verify(stack, marks, faults, deletedWithOutbox, refusalsDeletedWithOutbox)),
      seconds: Math.round((Date.now() - started) / 1000),
    }
  } finally {
    await replicaKills?.stop()
    await stack.dispose()
  }
}

/** Refusals deleted with an outbox whose gap record the cloud did not get (a lost ack: it did). */
function refusalsNeverDelivered(deleted: DeletedRefusals, inCloud: ContentCheck['diskFullGaps']): number {
  const got = new Set(inCloud.map((g) => `${g.fromSeq}:${g.from}:${g.samples}`))
  const lost = deleted.records.filter((r) => !got.has(`${r.fromSeq}:${r.from}:${r.samples}`))
  return deleted.unnoted + lost.reduce((n, r) => n + r.samples, 0)
}

/** The edge's current outbox: its id, last seq, and the seqs it still holds. */
function outboxState(stack: Stack): { id: string; lastSeq: number; held: number[] } {
  if (!existsSync(stack.outboxFile)) return { id: '', lastSeq: 0, held: [] }
  const db = new Database(stack.outboxFile, { readonly: true, fileMustExist: true })
  try {
    return {
      id: (db.prepare('SELECT id FROM identity').get() as { id: string }).id,
      lastSeq:
        (db.prepare("SELECT seq FROM sqlite_sequence WHERE name = 'batches'").get() as { seq: number } | undefined)
          ?.seq ?? 0,
      held: (db.prepare('SELECT seq FROM batches').all() as Array<{ seq: number }>).map((r) => r.seq),
    }
  } finally {
    db.close()
  }
}

async function verify(
  stack: Stack,
  marks: FaultMark[],
  faults: Record<FaultKind, number>,
  deletedWithOutbox: ReadonlySet<string>,
  refusalsDeleted: DeletedRefusals,
) {
  const outbox = outboxState(stack)
  const journal = readJournal(stack.journalFile)
  const content = await checkContent(
    stack.database.reader,
    EDGE,
    journal.batches,
    new Set(outbox.held.map((seq) => `${outbox.id}:${seq}`)),
    deletedWithOutbox,
  )
  const table = summarize(marks, faults, content)
  const count = (v: string) => content.checks.filter((c) => c.verdict === v).length
  return {
    content,
    table,
    totals: {
      generated: content.checks.length,
      stored: count('stored'),
      lost: count('lost'),
      duplicated: content.checks.reduce((n, c) => n + c.duplicates, 0),
      altered: count('altered'),
      inGaps: count('gap'),
      heldAtEnd: count('held'),
    },
    diskFull: {
      refused: journal.refused.get('PL_OUTBOX_DISK_FULL') ?? 0,
      inGapRecords: content.diskFullGapSamples,
      deletedWithOutbox: refusalsNeverDelivered(refusalsDeleted, content.diskFullGaps),
    },
    tornJournalLines: journal.torn,
    edgeDiskIsTmpfs: stack.edgeDiskIsTmpfs,
  }
}
