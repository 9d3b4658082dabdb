import { existsSync, readFileSync } from 'node:fs'
import type { StopMode, TestPostgres } from '../util/postgres.ts'
import { waitFor } from '../util/wait.ts'

/**
 * The campaign's 'restart the database' fault (PostgreSQL only, issue 15 "a PostgreSQL
 * connection lost mid-batch → no ack, the batch is redelivered, nothing half-stored"): the
 * cloud's database server goes down under a running cloud and comes back.
 * - mostly `immediate` (pg_ctl -m immediate: as a crash or a power cut, no checkpoint, crash
 *   recovery at the next start), sometimes `fast` (a clean stop, as an operator's restart or a
 *   package upgrade): every open connection of the cloud breaks, in or out of a transaction;
 * - the server stays down for the drawn pause, and then until the cloud has logged a batch it
 *   could not store (so the fault hit traffic, not an idle moment);
 * - its trace: the cloud did not ack those batches ('batch not stored; not acked'), the edge
 *   redelivered them and the cloud acked through them once the server was back (the content
 *   check then finds them stored once, with their hash); an immediate stop shows as crash
 *   recovery in the server's log.
 */
export interface DatabaseRestartTargets {
  server: Pick<TestPostgres, 'restart' | 'logFile'>
  /** The seqs of the cloud's 'batch not stored' log lines so far (stack.ts cloudLog). */
  failedSeqs: readonly number[]
  /** The seq the cloud has acked the edge through (its API), -1 when it cannot tell. */
  acked(): Promise<number>
  say(line: string): void
  problems: string[]
}

export interface RestartPlan {
  mode: StopMode
  /** How long the server stays down at least. */
  pauseMs: number
}

/** How often the restart is a crash (immediate) rather than a clean stop (fast). */
const CRASH_SHARE = 2 / 3

/**
 * The restart drawn from ONE uniform number u (as 'database locked' draws one, its duration): the
 * mode is u's side of CRASH_SHARE, the pause u rescaled within that side (again uniform). One
 * draw per database fault on either engine keeps a seed's later draws the same on both.
 */
export function restartPlan(u: number): RestartPlan {
  const crash = u < CRASH_SHARE
  const within = crash ? u / CRASH_SHARE : (u - CRASH_SHARE) / (1 - CRASH_SHARE)
  return { mode: crash ? 'immediate' : 'fast', pauseMs: Math.round(500 + within * 4_000) }
}

/** PostgreSQL's startup line after a stop that was not clean (src/backend/access/transam/xlog.c). */
const CRASH_RECOVERY = 'database system was not properly shut down; automatic recovery in progress'

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))
const occurrences = (file: string, text: string) =>
  existsSync(file) ? readFileSync(file, 'utf8').split(text).length - 1 : 0

export async function restartDatabase(t: DatabaseRestartTargets, plan: RestartPlan): Promise<void> {
  const failuresBefore = t.failedSeqs.length
  const recoveriesBefore = occurrences(t.server.logFile, CRASH_RECOVERY)
  const started = Date.now()
  await t.server.restart(plan.mode, async () => {
    await sleep(plan.pauseMs)
    await waitFor(() => t.failedSeqs.length > failuresBefore, {
      timeoutMs: 30_000,
      intervalMs: 100,
      message: 'the cloud logged no batch it could not store while its database was down',
    }).catch((err: Error) => void t.problems.push(err.message))
  })
  const failed = t.failedSeqs.slice(failuresBefore)
  t.say(
    `  the database was down ${Date.now() - started} ms (${plan.mode}); the cloud did not store ${failed.length} deliveries meanwhile`,
  )
  if (plan.mode === 'immediate' && occurrences(t.server.logFile, CRASH_RECOVERY) <= recoveriesBefore)
    t.problems.push('the immediate stop left no crash recovery in the PostgreSQL log (it was not a crash)')
  if (failed.length === 0) return
  const through = Math.max(...failed)
  await waitFor(async () => (await t.acked()) >= through, {
    timeoutMs: 60_000,
    intervalMs: 250,
    message: `the cloud never acked through seq ${through} (not stored while its database was down) after the restart`,
  })
    .then(() => t.say(`  the cloud stored the redelivered batches and acked through seq ${through}`))
    .catch((err: Error) => void t.problems.push(err.message))
}
