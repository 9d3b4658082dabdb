import Database from 'better-sqlite3'
import * as fs from 'node:fs'
import { ensurePrivateDatabase } from '../../shared/private-files.ts'
import { randomUUID } from 'node:crypto'
import { systemClock, type Clock } from '../../shared/clock.ts'
import { ErrorCodes, ParklinkError, errorMessage } from '../../shared/errors.ts'
import type { EdgeAlarm } from '../../shared/wire/messages.ts'
import type { CameraEvent } from '../../shared/wire/camera.ts'
import type { Sample } from '../../shared/wire/sample.ts'
import type { Outbox, OutboxBatch, OutboxStats } from './outbox.ts'
import { GAPS_SCHEMA, createGapLedger, type Dropped } from './gaps.ts'
import { createPayloadCodec } from './payload.ts'
import type { AtRestCipher } from '../at-rest/cipher.ts'
import { AT_REST_SCHEMA, markAtRestKey } from '../at-rest/check.ts'
import { isCorruption, moveAside } from './corrupt.ts'
import { createDiskReserve, isDiskFull } from './disk-reserve.ts'
import { createDiskGuard, type DiskState } from './disk-guard.ts'
import { createRefusalFile } from './refusal-file.ts'

/** What an eviction removed (over the size cap, or older than the maximum age); the caller logs it. The gap record for the cloud is in the outbox's ledger (gaps.ts). */
/** What one eviction dropped (the ledger's record of it, with the points counted rather than listed). */
export interface Eviction extends Omit<Dropped, 'points'> {
  /** How many distinct points lost samples. */
  points: number
}

export interface SqliteOutboxOptions {
  file: string
  /** Cap on the payload bytes held (default 2 GiB). The file itself is somewhat larger (pages, WAL). */
  maxBytes?: number
  /** Batches written longer ago than this are dropped (and recorded as a gap); default: no limit. */
  maxAgeMs?: number
  clock?: Clock
  onEvict?: (eviction: Eviction) => void
  /**
   * The file was not a readable database: it was moved to `movedTo` and a new, empty outbox
   * started (numbering from firstSeq). Its unsent data is lost to the uplink: report it loudly.
   */
  onCorrupt?: (info: { movedTo: string; error: string }) => void
  /**
   * The seq of the first batch of a NEW outbox file (default 1; ignored when the file exists).
   * The agent passes the creation time in ms, so seqs of a later outbox of the edge start above
   * an earlier one's (time grows faster than any plausible batch rate, < 1 000 batches/s) and a
   * seq is unique per edge in practice, which keeps diagnostics by seq readable. Correctness
   * does not rest on it: a new file has a new outbox id (Outbox.id), and the cloud keys batches by
   * (edge, outbox, seq).
   */
  firstSeq?: number
  /**
   * Bytes kept back in `{file}.reserve` so that on a full disk acked batches can still be
   * deleted and the space given back (disk-reserve.ts); default 0 (none: a full disk is still
   * survived, but deleting may then fail until something else frees space).
   */
  reserveBytes?: number
  /** The disk became full (appends are refused, the reserve given up) or usable again: the caller logs it. */
  onDisk?: (state: DiskState) => void
  /**
   * Seals every payload written with SM4 (storage.encryption, edge/at-rest/). The caller checks
   * the key against the file first (at-rest/check.ts): a wrong key must refuse before the open.
   */
  cipher?: AtRestCipher
}

export const DEFAULT_OUTBOX_MAX_BYTES = 2 * 1024 ** 3
// 2: the gaps ledger (gaps.ts). 3: payloads deflated into BLOBs (payload.ts); TEXT rows still read.
const SCHEMA_VERSION = 3

// AUTOINCREMENT (not a plain rowid) so a seq is never handed out twice, even after the newest
// batches were acked and deleted: SQLite then keeps the high-water mark in sqlite_sequence.
// `batches` must stay the only AUTOINCREMENT table: tools read MAX(seq) from sqlite_sequence.
const SCHEMA = `
  CREATE TABLE IF NOT EXISTS batches (
    seq          INTEGER PRIMARY KEY AUTOINCREMENT,
    created_at   INTEGER NOT NULL,
    sample_count INTEGER NOT NULL,
    min_ts       INTEGER NOT NULL,
    max_ts       INTEGER NOT NULL,
    bytes        INTEGER NOT NULL,
    payload      BLOB NOT NULL
  );
  CREATE INDEX IF NOT EXISTS batches_min_ts ON batches (min_ts);
  CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL) WITHOUT ROWID;
  INSERT OR IGNORE INTO meta (key, value) VALUES ('acked_through', 0), ('evicted', 0);
  CREATE TABLE IF NOT EXISTS identity (one INTEGER PRIMARY KEY CHECK (one = 1), id TEXT NOT NULL);
`
// The outbox's id (shared/wire/messages.ts OutboxId) is created with the file, once: a file of
// an earlier version gets one at its first open under this version and keeps it.

/**
 * The durable outbox on SQLite (better-sqlite3: synchronous, one short transaction per call).
 *
 * journal_mode=WAL lets the agent write while a technician (or a test) reads the file.
 * synchronous=FULL, not NORMAL: in WAL mode NORMAL fsyncs only at checkpoints, so a power cut
 * can roll back the last commits — including the sqlite_sequence bump. The seq of a batch that
 * was already sent would then be handed out again for other samples, and the cloud, which
 * stores (edge, outbox, seq) once, would refuse them as a conflict (never acked, so never
 * deleted, but never delivered either). FULL fsyncs the WAL on every commit. The
 * edge appends about once per device per second; measured on this 2-core VM, a commit costs
 * 0.17 ms with FULL vs 0.08 ms with NORMAL, and a whole append of 50 samples 0.23 ms (≈ 4 300/s).
 * An industrial PC's eMMC may take 1–10 ms per fsync: still ≥ 100 appends/s, ample headroom.
 */
export function openSqliteOutbox(options: SqliteOutboxOptions): Outbox {
  const clock = options.clock ?? systemClock
  const maxBytes = options.maxBytes ?? DEFAULT_OUTBOX_MAX_BYTES
  if (!Number.isSafeInteger(maxBytes) || maxBytes <= 0)
    throw new RangeError(`outbox maxBytes must be a positive integer, got ${maxBytes}`)
  const firstSeq = options.firstSeq ?? 1
  if (!Number.isSafeInteger(firstSeq) || firstSeq < 1)
    throw new RangeError(`outbox firstSeq must be a positive integer, got ${firstSeq}`)
  const maxAgeMs = options.maxAgeMs ?? null
  if (maxAgeMs !== null && !(maxAgeMs > 0)) throw new RangeError(`outbox maxAgeMs must be positive, got ${maxAgeMs}`)
  const reserveBytes = options.reserveBytes ?? 0
  if (!Number.isSafeInteger(reserveBytes) || reserveBytes < 0)
    throw new RangeError(`outbox reserveBytes must be a non-negative integer, got ${reserveBytes}`)
  const reserve = createDiskReserve(options.file, reserveBytes)
  let db: Database.Database
  try {
    db = openDatabase(options.file, firstSeq)
  } catch (err) {
    if (isDiskFull(err)) {
      // A restart on a full disk: the reserve of the last run gives the open its room.
      reserve.release()
      db = openDatabase(options.file, firstSeq)
    } else {
      if (!isCorruption(err)) throw err
      const movedTo = moveAside(options.file, clock.now())
      options.onCorrupt?.({ movedTo, error: errorMessage(err) })
      db = openDatabase(options.file, firstSeq)
    }
  }
  const disk = createDiskGuard(reserve, options.onDisk, createRefusalFile(options.file))
  const codec = createPayloadCodec(options.cipher)
  markAtRestKey(db, options.cipher ?? null)
  const q = prepare(db)
  const gaps = createGapLedger(db)
  const id = (db.prepare('SELECT id FROM identity').get() as { id: string }).id

  // Totals kept in memory (rebuilt from the table at open) so stats() stays O(1) with a deep backlog.
  let batches = 0
  let samples = 0
  let bytes = 0
  let lastSeq = 0
  let ackedThrough = 0
  let evicted = 0
  // Also after a failed transaction: SQLite rolled back, the counters must follow it.
  const resync = () => {
    const totals = q.totals.get() as { batches: number; samples: number | null; bytes: number | null }
    batches = totals.batches
    samples = totals.samples ?? 0
    bytes = totals.bytes ?? 0
    lastSeq = (q.lastSeq.get() as { seq: number } | undefined)?.seq ?? 0
    ackedThrough = metaValue(q, 'acked_through')
    evicted = metaValue(q, 'evicted')
  }
  resync()
  // Gap records written at the last close (refusals, see close()) ride with the first append.
  let carryOrphans = gaps.undelivered() > 0

  /**
   * Drops the oldest batches while `more(row)` says so (the batch just written is never dropped:
   * over the cap by one batch beats losing the newest data) and notes the gap in the ledger.
   */
  const evict = (keepSeq: number, reason: Dropped['reason'], more: (row: EvictRow) => boolean): Eviction | null => {
    const d: Dropped = {
      reason,
      fromSeq: 0,
      throughSeq: 0,
      batches: 0,
      samples: 0,
      from: Infinity,
      to: -Infinity,
      points: new Set(),
    }
    for (const row of q.oldest.iterate(keepSeq) as Iterable<EvictRow>) {
      if (!more(row)) break
      if (d.batches === 0) d.fromSeq = row.seq
      d.throughSeq = row.seq
      d.batches++
      d.samples += row.sample_count
      d.from = Math.min(d.from, row.min_ts)
      d.to = Math.max(d.to, row.max_ts)
      for (const sample of codec.decode(row.payload).samples) d.points.add(sample.point)
      bytes -= row.bytes
      samples -= row.sample_count
      batches--
    }
    if (d.batches === 0) return null
    q.deleteThrough.run(d.throughSeq)
    evicted += d.samples
    q.setMeta.run(evicted, 'evicted')
    gaps.note(d, clock.now())
    return {
      reason,
      fromSeq: d.fromSeq,
      throughSeq: d.throughSeq,
      batches: d.batches,
      samples: d.samples,
      from: d.from,
      to: d.to,
      points: d.points.size,
    }
  }

  /**
   * Samples refused on a full disk become ONE `disk_full` gap record, written with the first
   * append that succeeds again. They never had a seq; the record burns one (the seq they would
   * have had) so that, like an evicted batch, the gap names a seq range no batch will fill and
   * the cloud's hole watch gets the record as its answer. Returns whether a record was noted.
   */
  const noteRefused = (): boolean => {
    const p = disk.pending()
    if (!p) return false
    q.burnSeq.run()
    const burned = (q.lastSeq.get() as { seq: number }).seq
    gaps.note({ ...p, fromSeq: burned, throughSeq: burned }, clock.now())
    return true
  }

  const appendOne = (
    list: readonly Sample[],
    alarms: readonly EdgeAlarm[] | undefined,
    events: readonly CameraEvent[] | undefined,
    at: number,
    carryGaps: boolean,
  ): { seq: number; evictions: Eviction[] } => {
    let minTs = Infinity
    let maxTs = -Infinity
    for (const s of list) {
      if (s.ts < minTs) minTs = s.ts
      if (s.ts > maxTs) maxTs = s.ts
    }
    // A batch with alarms or camera events is an object; the plain array (samples only) stays readable as before.
    const payload = codec.encode(list, alarms, events)
    const size = payload.length
    const now = at
    const seq = Number(q.insert.run(now, list.length, minTs, maxTs, size, payload).lastInsertRowid)
    lastSeq = seq
    batches++
    samples += list.length
    bytes += size
    const evictions = [
      maxAgeMs === null ? null : evict(seq, 'age', (row) => row.created_at < now - maxAgeMs),
      evict(seq, 'cap', () => bytes > maxBytes),
    ].filter((e): e is Eviction => e !== null)
    // Gap records without a living carrier (new, grown, or their carrier evicted) ride with this batch.
    if (evictions.length > 0 || carryGaps) gaps.carry(seq)
    return { seq, evictions }
  }

  const append = db.transaction(
    (list: readonly Sample[], alarms: readonly EdgeAlarm[] | undefined, events: readonly CameraEvent[] | undefined) =>
      appendOne(list, alarms, events, clock.now(), noteRefused() || carryOrphans),
  )

  const appendAll = db.transaction(
    (parts: ReadonlyArray<{ samples: readonly Sample[]; alarms?: readonly EdgeAlarm[] | undefined }>) => {
      // One commit, one time: every part is stamped with the same created_at.
      const at = clock.now()
      const noted = noteRefused()
      const out = parts.map((p, i) => appendOne(p.samples, p.alarms, undefined, at, (noted || carryOrphans) && i === 0))
      return { seqs: out.map((o) => o.seq), evictions: out.flatMap((o) => o.evictions) }
    },
  )

  /** Gives free pages back to the file system (auto_vacuum=INCREMENTAL files) and empties the WAL. Best effort: on a full disk, every byte helps, none is required. */
  const reclaim = () => {
    try {
      db.pragma('incremental_vacuum')
      db.pragma('wal_checkpoint(TRUNCATE)')
    } catch {
      // Still full: the next ack or append tries again.
    }
  }

  /**
   * Runs an append unless the disk is full; a refused append is counted (disk-guard.ts) and
   * throws PL_OUTBOX_DISK_FULL. SQLITE_FULL rolled the transaction back: the counters follow it.
   */
  const admitted = <T>(samples: readonly Sample[], write: () => T): T => {
    if (disk.admit()) {
      try {
        const out = write()
        disk.recorded()
        carryOrphans = false
        return out
      } catch (err) {
        if (!isDiskFull(err)) throw err
        resync()
        disk.hitFull()
        reclaim()
      }
    }
    disk.refuse(samples)
    throw new ParklinkError(
      ErrorCodes.OUTBOX_DISK_FULL,
      `outbox disk full: ${samples.length} samples refused (${disk.state().refused} since start; they go to the cloud as a disk_full gap record)`,
      {
        hint: `free space on the disk of ${options.file}: appends resume by themselves once there is room; delivery to the cloud frees the outbox's own space`,
      },
    )
  }

  const ack = db.transaction((through: number) => {
    const gone = q.sumThrough.get(through) as { batches: number; samples: number | null; bytes: number | null }
    q.deleteThrough.run(through)
    q.setMeta.run(through, 'acked_through')
    gaps.acked(through)
    batches -= gone.batches
    samples -= gone.samples ?? 0
    bytes -= gone.bytes ?? 0
    ackedThrough = through
  })

  let closed = false
  const guard = <T>(op: string, fn: () => T): T => {
    if (closed)
      throw new ParklinkError(ErrorCodes.OUTBOX_FAILED, `outbox ${op} after close (${options.file})`, {
        hint: 'this is a bug in the caller: the outbox was used after stop',
      })
    try {
      return fn()
    } catch (err) {
      if (err instanceof ParklinkError || err instanceof RangeError) throw err
      try {
        resync()
      } catch {
        // The database is unusable; the error below says so.
      }
      throw new ParklinkError(
        ErrorCodes.OUTBOX_FAILED,
        `outbox ${op} failed on ${options.file}: ${errorMessage(err)}`,
        {
          hint: 'check free disk space and permissions of the data directory; lower outbox.maxBytes if the disk is small',
          cause: err,
        },
      )
    }
  }

  return {
    id,
    append(list, alarms, events) {
      // An empty batch could never be delivered (DataBatch needs a sample) and would block the stream.
      if (list.length === 0) throw new RangeError('outbox append: a batch needs at least one sample')
      return guard('append', () => {
        const { seq, evictions } = admitted(list, () => append(list, alarms, events))
        for (const e of evictions) options.onEvict?.(e)
        return seq
      })
    },
    appendMany(parts) {
      if (parts.some((p) => p.samples.length === 0))
        throw new RangeError('outbox append: a batch needs at least one sample')
      if (parts.length === 0) return []
      return guard('append', () => {
        const { seqs, evictions } = admitted(
          parts.flatMap((p) => p.samples),
          () => appendAll(parts),
        )
        for (const e of evictions) options.onEvict?.(e)
        return seqs
      })
    },
    peek(afterSeq, limit) {
      if (limit <= 0) return []
      return guard('peek', () => {
        const rows = q.peek.all(afterSeq, limit) as Array<{ seq: number; created_at: number; payload: Buffer | string }>
        const carried = rows.length === 0 ? new Map() : gaps.carriedBy(rows[0]!.seq, rows.at(-1)!.seq)
        return rows.map((r): OutboxBatch => {
          const batch: OutboxBatch = { seq: r.seq, createdAt: r.created_at, ...codec.decode(r.payload) }
          const g = carried.get(r.seq)
          return g ? { ...batch, gaps: g } : batch
        })
      })
    },
    gapsOverlapping(fromSeq, toSeq) {
      return guard('gaps', () => gaps.overlapping(fromSeq, toSeq))
    },
    ackThrough(seq) {
      // Never past the last seq assigned: acking seqs not yet written would skip them later.
      const through = Math.min(Math.floor(seq), lastSeq)
      if (!(through > ackedThrough)) return
      guard('ack', () => {
        // A deletion needs no fsync of its own (during a drain that is one per cloud ack): lost
        // in a power cut, it only makes the edge resend batches the cloud holds and acks again,
        // and the next append's FULL commit makes it durable anyway (WAL keeps commits in order).
        db.pragma('synchronous = NORMAL')
        try {
          ack(through)
        } catch (err) {
          // SQLite needs room to delete (the WAL gets the changed pages): give it the reserve.
          if (!isDiskFull(err)) throw err
          resync()
          disk.hitFull()
          ack(through)
        } finally {
          db.pragma('synchronous = FULL')
        }
        if (disk.isFull()) reclaim()
      })
    },
    floor() {
      return guard('floor', () => (q.floor.get() as { seq: number | null }).seq ?? lastSeq + 1)
    },
    stats(): OutboxStats {
      const oldestTs = batches === 0 ? null : guard('stats', () => (q.oldestTs.get() as { ts: number | null }).ts)
      return { samples, batches, bytes, oldestTs, evicted, lastSeq, ackedThrough, id }
    },
    disk: () => disk.state(),
    close() {
      if (closed) return
      closed = true
      // Refusals not yet in the ledger would go with the process: note them now (the reserve was
      // given up, so there is room); the first append after the next open carries the record.
      if (disk.pending()) {
        try {
          db.transaction(noteRefused)()
          disk.recorded()
        } catch {
          // No room even for that: the count is lost with the process (the agent logged each refusal).
        }
      }
      db.close()
    },
  }
}

function openDatabase(file: string, firstSeq: number): Database.Database {
  let db: Database.Database | null = null
  try {
    // 0600 whatever the umask (brief §7): the outbox holds the plant's data until the cloud has it.
    ensurePrivateDatabase(fs, file)
    db = new Database(file)
    // Only takes effect on a new file (before its first table): freed pages can then be given
    // back to the file system (PRAGMA incremental_vacuum) when the disk fills. An older file keeps
    // auto_vacuum=NONE and reuses its free pages for new batches instead.
    db.pragma('auto_vacuum = INCREMENTAL')
    db.pragma('journal_mode = WAL')
    db.pragma('synchronous = FULL')
    db.pragma('busy_timeout = 5000')
    const version = db.pragma('user_version', { simple: true }) as number
    if (version > SCHEMA_VERSION) {
      throw new ParklinkError(
        ErrorCodes.OUTBOX_FAILED,
        `outbox ${file} has format ${version}, this version reads up to ${SCHEMA_VERSION}`,
        {
          hint: 'it was written by a newer parklink: upgrade this edge again, or move the file aside (its unsent data is in it)',
        },
      )
    }
    db.transaction(() => {
      db!.exec(SCHEMA + GAPS_SCHEMA + AT_REST_SCHEMA)
      // A new file: no seq handed out yet. AUTOINCREMENT continues from sqlite_sequence, so the
      // first batch gets firstSeq. first_seq is recorded for tools that check completeness.
      const fresh = db!.prepare("SELECT seq FROM sqlite_sequence WHERE name = 'batches'").get() === undefined
      if (fresh) {
        db!.prepare("INSERT INTO sqlite_sequence (name, seq) VALUES ('batches', ?)").run(firstSeq - 1)
        db!.prepare("INSERT OR IGNORE INTO meta (key, value) VALUES ('first_seq', ?)").run(firstSeq)
      }
      db!.prepare('INSERT OR IGNORE INTO identity (one, id) VALUES (1, ?)').run(randomUUID())
      db!.pragma(`user_version = ${SCHEMA_VERSION}`)
    })()
    return db
  } catch (err) {
    db?.close()
    if (err instanceof ParklinkError) throw err
    throw new ParklinkError(ErrorCodes.OUTBOX_FAILED, `cannot open the outbox ${file}: ${errorMessage(err)}`, {
      hint: 'check that the data directory exists, is writable by the service user and the disk is not full',
      cause: err,
    })
  }
}

function prepare(db: Database.Database) {
  return {
    insert: db.prepare(
      'INSERT INTO batches (created_at, sample_count, min_ts, max_ts, bytes, payload) VALUES (?, ?, ?, ?, ?, ?)',
    ),
    peek: db.prepare('SELECT seq, created_at, payload FROM batches WHERE seq > ? ORDER BY seq LIMIT ?'),
    oldest: db.prepare(
      'SELECT seq, created_at, sample_count, min_ts, max_ts, bytes, payload FROM batches WHERE seq < ? ORDER BY seq',
    ),
    sumThrough: db.prepare(
      'SELECT COUNT(*) AS batches, SUM(sample_count) AS samples, SUM(bytes) AS bytes FROM batches WHERE seq <= ?',
    ),
    deleteThrough: db.prepare('DELETE FROM batches WHERE seq <= ?'),
    totals: db.prepare('SELECT COUNT(*) AS batches, SUM(sample_count) AS samples, SUM(bytes) AS bytes FROM batches'),
    floor: db.prepare('SELECT MIN(seq) AS seq FROM batches'),
    oldestTs: db.prepare('SELECT MIN(min_ts) AS ts FROM batches'),
    lastSeq: db.prepare("SELECT seq FROM sqlite_sequence WHERE name = 'batches'"),
    burnSeq: db.prepare("UPDATE sqlite_sequence SET seq = seq + 1 WHERE name = 'batches'"),
    getMeta: db.prepare('SELECT value FROM meta WHERE key = ?'),
    setMeta: db.prepare('UPDATE meta SET value = ? WHERE key = ?'),
  }
}

function metaValue(q: ReturnType<typeof prepare>, key: string): number {
  return (q.getMeta.get(key) as { value: number } | undefined)?.value ?? 0
}

interface EvictRow {
  seq: number
  created_at: number
  sample_count: number
  min_ts: number
  max_ts: number
  bytes: number
  payload: Buffer | string
}
