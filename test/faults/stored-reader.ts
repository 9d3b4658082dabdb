import type { StoredRow } from '../util/stored-samples.ts'

/**
 * What the fault campaign reads of the cloud's database to judge it (content-check.ts,
 * edge-faults.ts), on either engine: the campaign never asks the cloud's API what it stored,
 * it reads the tables the store wrote. One implementation per engine, on the same tables
 * (cloud/store/sqlite/schema.ts, cloud/store/postgres/schema.ts):
 * stored-reader-sqlite.ts and stored-reader-postgres.ts.
 */
export interface StoredBatchesReader {
  /** The batches stored for an edge (every outbox): their key and content hash. */
  batches(edge: string): Promise<StoredBatch[]>
  /** The samples of the edge's batches still held as historian blocks (not compacted yet), by seq, in block order. */
  blockSamplesBySeq(edge: string): Promise<Map<number, StoredRow[]>>
  /** A point's compacted samples (historian chunks) with from ≤ ts ≤ to, by time. */
  chunkSamples(point: string, from: number, to: number): Promise<StoredRow[]>
  /** The gap records the cloud received from an edge. */
  gaps(edge: string): Promise<StoredGap[]>
  /** The outbox replacements the cloud recorded for an edge (an `outbox_replaced` gap each). */
  outboxReplacements(edge: string): Promise<StoredReplacement[]>
  /** Whether an alarm of this kind is active on the point (e.g. CLOCK on `edge:{id}`). */
  alarmActive(point: string, kind: string): Promise<boolean>
  /** The ids of the points registered to an edge (whose chunks hold its compacted samples). */
  edgePoints(edge: string): Promise<string[]>
  close(): Promise<void>
}

export interface StoredBatch {
  outbox: string
  seq: number
  hash: string | null
}

export interface StoredGap {
  fromSeq: number
  throughSeq: number
  reason: string
  samples: number
  /** The oldest source time the gap covers. */
  fromTs: number
  receivedAt: number
}

export interface StoredReplacement {
  oldOutbox: string
  seenAt: number
}

/** Every stored sample of an edge's batches, blocks and chunks alike (chunks by the edge's points). */
export async function edgeSamples(reader: StoredBatchesReader, edge: string): Promise<StoredRow[]> {
  const fromBlocks = [...(await reader.blockSamplesBySeq(edge)).values()].flat()
  const sealed = await Promise.all(
    (await reader.edgePoints(edge)).map((p) =>
      reader.chunkSamples(p, Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER),
    ),
  )
  return [...sealed.flat(), ...fromBlocks]
}
