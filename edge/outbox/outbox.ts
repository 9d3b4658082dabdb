import type { Sample } from '../../shared/wire/sample.ts'
import type { EdgeAlarm, OutboxReport } from '../../shared/wire/messages.ts'
import type { GapRecord } from '../../shared/wire/gap.ts'
import type { CameraEvent } from '../../shared/wire/camera.ts'
import type { DiskState } from './disk-guard.ts'

/**
 * The edge's durable memory. Synchronous on purpose (better-sqlite3 is synchronous): each call
 * is one short transaction, and append() returns only once the batch is on disk.
 *
 * Delivery: a batch stays until the CLOUD says it has stored it (ackThrough); a broker's PUBACK
 * is not enough, because a broker may lose what it holds.
 */
export interface OutboxBatch {
  /** Assigned at append; strictly increasing for the life of the outbox, never reused. */
  seq: number
  createdAt: number
  samples: Sample[]
  /** Alarms the edge raised or recovered from these samples. */
  alarms?: EdgeAlarm[]
  /** Records of data the outbox dropped (cap, age), delivered with this batch. */
  gaps?: GapRecord[]
  /** Camera events (with their snapshots) that ride with these samples. */
  events?: CameraEvent[]
}

export interface OutboxStats extends OutboxReport {
  /** Highest seq ever assigned (0 if none). */
  lastSeq: number
  /** Highest seq the cloud acknowledged (0 if none). */
  ackedThrough: number
  /** The outbox's id (see Outbox.id). */
  id: string
}

/** The short form of an outbox id people see (status, console): its first 8 characters. */
export function shortOutboxId(id: string | undefined): string {
  // A status.json written by an earlier version has no id.
  return id ? id.slice(0, 8) : 'unknown'
}

export interface Outbox {
  /**
   * Random, created with the outbox file and kept in it: seqs are numbered per outbox, so every
   * batch names it and the cloud keys batches by (edge, outbox, seq). A new file is a new id.
   */
  readonly id: string
  /** Writes one batch durably and returns its seq. Enforces the size cap by evicting oldest. */
  append(samples: readonly Sample[], alarms?: readonly EdgeAlarm[], events?: readonly CameraEvent[]): number
  /**
   * Writes several batches in ONE transaction (one commit, one fsync) and returns their seqs, in
   * order: a flush of batched notifications larger than one message. All or nothing.
   */
  appendMany(parts: ReadonlyArray<{ samples: readonly Sample[]; alarms?: readonly EdgeAlarm[] | undefined }>): number[]
  /** Up to `limit` batches with seq > afterSeq, oldest first. */
  peek(afterSeq: number, limit: number): OutboxBatch[]
  /** The cloud stored everything through seq: delete it. Ignores a seq at or below the last ack. */
  ackThrough(seq: number): void
  /** Gap records that overlap the seq range [fromSeq, toSeq]: what answers a resend of data already dropped. */
  gapsOverlapping(fromSeq: number, toSeq: number): GapRecord[]
  /** The lowest seq still held, or lastSeq + 1 when empty. */
  floor(): number
  stats(): OutboxStats
  /** Its disk: free space, reserve, samples refused while full (issue 14). Optional: an in-memory outbox has no disk. */
  disk?(): DiskState
  close(): void
}
