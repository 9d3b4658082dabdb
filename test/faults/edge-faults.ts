import { closeSync, openSync, readdirSync, readFileSync, rmSync, writeFileSync, writeSync } from 'node:fs'
import path from 'node:path'
import Database from 'better-sqlite3'
import { waitFor } from '../util/wait.ts'
import { journalMark, journalSince } from './journal.ts'
import { edgeSamples, type StoredBatchesReader } from './stored-reader.ts'

/**
 * The faults that happen to the edge's box rather than to the network (issue 14), each checked
 * for the trace it must leave in the cloud:
 * - its clock stepped back (an RTC reset) or forward (a wrong NTP server, a fast RTC), through the
 *   test hook (edge/test-hooks.ts): samples stored as clock_skew, and forward a CLOCK alarm.
 * - its data disk full: a filler file takes the tmpfs; the outbox must refuse appends (counted),
 *   then resume once the filler is gone and send a `disk_full` gap record.
 * - its outbox deleted while the edge is stopped (a disk swapped, a technician's `rm`): the edge
 *   starts a new outbox (new id) and the cloud records an `outbox_replaced` gap.
 */
export interface EdgeFaultTargets {
  edge: string
  /** What the cloud stored, read from its database (either engine). */
  stored: StoredBatchesReader
  clockOffsetFile: string
  journalFile: string
  edgeDataDir: string
  edgeDiskIsTmpfs: boolean
  restartEdge(pauseMs: number, whileStopped?: () => void): Promise<void>
  /** Cuts (true) or restores (false) the edge's link to the broker. */
  cutLink(cut: boolean): void
  say(line: string): void
  problems: string[]
  /** `outbox:seq` of every batch an outbox file still held when the campaign deleted it: lost with the file, by design. */
  deletedWithOutbox: Set<string>
  /**
   * Disk-full refusals an outbox file still held when the campaign deleted it: gap records not
   * yet delivered (checked against the cloud at the end: the ack may have been lost, not the
   * record) and refusals not yet noted (`{outbox}.refused`). Lost with the file, like its batches:
   * the cloud's `outbox_replaced` record covers them.
   */
  refusalsDeletedWithOutbox: DeletedRefusals
}

/** See EdgeFaultTargets.refusalsDeletedWithOutbox. */
export interface DeletedRefusals {
  /** Undelivered disk_full gap records of deleted outboxes. */
  records: Array<{ fromSeq: number; from: number; samples: number }>
  /** Samples in `{outbox}.refused` files deleted before the next append noted them. */
  unnoted: number
}

const activeClockAlarm = (t: EdgeFaultTargets) => t.stored.alarmActive(`edge:${t.edge}`, 'CLOCK')
/** clock_skew samples stamped by the edge clock as stepped now (not those of an earlier, larger step). */
const skewedSamplesOfStep = async (t: EdgeFaultTargets, at: number, offsetMs: number) => {
  const [from, to] = [at + offsetMs - 1_000, Date.now() + offsetMs + 1_000]
  return (await edgeSamples(t.stored, t.edge)).filter(
    (s) => s.ts >= from && s.ts <= to && s.reason?.startsWith('clock_skew'),
  ).length
}

/**
 * Steps the edge's clock by `offsetMs`, checks its trace in the cloud, then puts it back to 0.
 * Every step's samples fall outside the cloud's time window (5 min ahead, 366 days behind:
 * cloud/ingest/time-check.ts) and must be stored as clock_skew. A forward step must also show as
 * a CLOCK alarm on edge:{id}: the cloud's estimate takes the largest offset of the last 120 s
 * (shared/clock-offset.ts) and its CLOCK check runs every 30 s (cloud/alarms/comm-loss.ts), so
 * the step is held until the alarm is active (an episode of an earlier step may still be).
 * A backward step only moves that estimate once 120 s have passed, longer than the campaign can
 * hold a fault: the campaign's backward steps are an RTC reset (a year and more back), traced by
 * clock_skew:behind at once.
 */
export async function stepEdgeClock(t: EdgeFaultTargets, offsetMs: number): Promise<void> {
  const at = Date.now()
  writeFileSync(t.clockOffsetFile, String(offsetMs))
  try {
    await waitFor(async () => (await skewedSamplesOfStep(t, at, offsetMs)) > 0, {
      timeoutMs: 60_000,
      intervalMs: 250,
      message: () => `no clock_skew samples after the edge clock stepped ${offsetMs} ms`,
    })
    const step =
      Math.abs(offsetMs) >= 86_400_000
        ? `${(offsetMs / 86_400_000).toFixed(1)} d`
        : `${(offsetMs / 60_000).toFixed(1)} min`
    t.say(`  the cloud stored the edge's samples as clock_skew (${offsetMs > 0 ? '+' : ''}${step})`)
    if (offsetMs > 0) {
      await waitFor(() => activeClockAlarm(t), {
        timeoutMs: 90_000,
        intervalMs: 500,
        message: () => `no CLOCK alarm while the edge clock was ${offsetMs} ms ahead`,
      })
      t.say(`  CLOCK alarm active on edge:${t.edge}`)
    }
  } catch (err) {
    t.problems.push((err as Error).message)
  } finally {
    writeFileSync(t.clockOffsetFile, '0')
  }
}

/** Fills the file system of `dir` until ENOSPC with one file; returns its path. */
function fill(dir: string): string {
  const file = path.join(dir, 'filler.bin')
  const fd = openSync(file, 'w')
  const chunk = Buffer.alloc(256 * 1024, 7)
  try {
    for (;;) writeSync(fd, chunk)
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOSPC') throw err
  } finally {
    closeSync(fd)
  }
  return file
}

/**
 * Fills the edge's data disk. SQLite reuses the free pages of acked batches and its WAL, so the
 * link is cut at the same time: the backlog must grow the file until SQLITE_FULL. Held until the
 * outbox refuses appends, then the filler goes, the link comes back, and the outbox must take
 * appends again (which carries the disk_full gap record to the cloud).
 */
export async function fillEdgeDisk(t: EdgeFaultTargets): Promise<void> {
  if (!t.edgeDiskIsTmpfs) return void t.say('  skipped: the edge data directory is not a tmpfs (not root)')
  const mark = journalMark(t.journalFile)
  const refused = () => journalSince(t.journalFile, mark).refusedFor('PL_OUTBOX_DISK_FULL')
  const filler = fill(t.edgeDataDir)
  t.cutLink(true)
  const started = Date.now()
  try {
    await waitFor(() => refused() > 0, {
      timeoutMs: 120_000,
      intervalMs: 500,
      message: () => 'the edge never refused an append on a full disk',
    })
    t.say(`  the outbox refused appends on the full disk after ${((Date.now() - started) / 1000).toFixed(1)} s`)
  } catch (err) {
    t.problems.push((err as Error).message)
  } finally {
    rmSync(filler, { force: true })
    t.cutLink(false)
  }
  const resumedFrom = journalMark(t.journalFile)
  await waitFor(() => journalSince(t.journalFile, resumedFrom).batches > 0, {
    timeoutMs: 60_000,
    intervalMs: 250,
    message: () => 'the outbox never took appends again after the disk was freed',
  }).catch((err: Error) => void t.problems.push(err.message))
}

/** Samples in a `{outbox}.refused` file (edge/outbox/refusal-file.ts), 0 when there is none. */
function unnotedRefusals(file: string): number {
  try {
    return (JSON.parse(readFileSync(file, 'utf8')) as { samples: number }).samples
  } catch {
    return 0
  }
}

/**
 * kill -9 the edge, delete its outbox files, start it again: a new outbox; the cloud must record
 * the replacement. What the file held at that moment is lost with it (noted, exactly, before the
 * delete: nothing else of the old outbox may be missing in the end).
 */
export async function replaceEdgeOutbox(t: EdgeFaultTargets, pauseMs: number): Promise<void> {
  const count = async () => (await t.stored.outboxReplacements(t.edge)).length
  const before = await count()
  await t.restartEdge(pauseMs, () => {
    const outboxFile = path.join(t.edgeDataDir, 'outbox.db')
    const db = new Database(outboxFile, { fileMustExist: true })
    try {
      const id = (db.prepare('SELECT id FROM identity').get() as { id: string }).id
      const held = db.prepare('SELECT seq FROM batches').all() as Array<{ seq: number }>
      for (const r of held) t.deletedWithOutbox.add(`${id}:${r.seq}`)
      const records = db
        .prepare(
          'SELECT from_seq AS fromSeq, from_ts AS "from", samples FROM gaps WHERE reason = \'disk_full\' AND delivered = 0',
        )
        .all() as DeletedRefusals['records']
      t.refusalsDeletedWithOutbox.records.push(...records)
      t.refusalsDeletedWithOutbox.unnoted += unnotedRefusals(`${outboxFile}.refused`)
      t.say(`  outbox ${id.slice(0, 8)} deleted holding ${held.length} unacknowledged batches`)
    } finally {
      db.close()
    }
    for (const f of readdirSync(t.edgeDataDir))
      if (f.startsWith('outbox.db')) rmSync(path.join(t.edgeDataDir, f), { force: true })
  })
  await waitFor(async () => (await count()) > before, {
    timeoutMs: 60_000,
    intervalMs: 250,
    message: () => 'the cloud never recorded the replaced outbox',
  })
    .then(() => t.say('  the cloud recorded the replaced outbox (outbox_replaced gap)'))
    .catch((err: Error) => void t.problems.push(err.message))
}
