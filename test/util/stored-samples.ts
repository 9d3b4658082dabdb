import type Database from 'better-sqlite3'
import { decodeBlock } from '../../cloud/store/historian/block.ts'
import { decodeChunk, type ChunkSample } from '../../cloud/store/historian/codec.ts'
import { CHUNK_WIDTH_MS } from '../../cloud/store/historian/compact.ts'
import { createCompaction } from '../../cloud/store/sqlite/compaction.ts'
import type { Db } from '../../cloud/store/sqlite/db.ts'

/** One stored sample as tests read it from a cloud database file (the historian's blocks and chunks, issue 15). */
export interface StoredRow extends ChunkSample {
  point: string
}

/** The samples of an edge's batches still held as blocks (not compacted yet), by seq (all outboxes), each block's rows in point order. */
export function blockSamplesBySeq(db: Database.Database, edge: string): Map<number, StoredRow[]> {
  return groupBlocksBySeq(
    db.prepare('SELECT seq, data FROM sample_blocks WHERE edge = ? ORDER BY id').all(edge) as Array<{
      seq: number
      data: Buffer
    }>,
  )
}

/** Block rows (in id order) decoded and grouped by seq: the engine-neutral half of blockSamplesBySeq. */
export function groupBlocksBySeq(blocks: Iterable<{ seq: number; data: Uint8Array }>): Map<number, StoredRow[]> {
  const bySeq = new Map<number, StoredRow[]>()
  for (const b of blocks) {
    const list = bySeq.get(b.seq) ?? []
    for (const { point, samples } of decodeBlock(b.data)) for (const s of samples) list.push({ point, ...s })
    bySeq.set(b.seq, list)
  }
  return bySeq
}

/** The batches of an edge the database stores as blocks (their seqs; the rest were compacted into chunks). */
export function seqsWithBlocks(db: Database.Database, edge: string): Set<number> {
  return new Set(
    (db.prepare('SELECT DISTINCT seq FROM sample_blocks WHERE edge = ?').all(edge) as Array<{ seq: number }>).map(
      (r) => r.seq,
    ),
  )
}

/** A point's sealed samples (compacted chunks) with from ≤ ts ≤ to, by time. */
export function chunkSamples(db: Database.Database, point: string, from: number, to: number): StoredRow[] {
  const rows = db
    .prepare('SELECT data FROM sample_chunks WHERE point = ? AND hour >= ? AND hour <= ? ORDER BY hour, id')
    .all(point, ...chunkHours(from, to)) as Array<{ data: Buffer }>
  return chunkRows(
    point,
    rows.map((r) => r.data),
    from,
    to,
  )
}

/** The first and last chunk hour that may hold samples with from ≤ ts ≤ to. */
export const chunkHours = (from: number, to: number): [number, number] => [
  from - (from % CHUNK_WIDTH_MS),
  to - (to % CHUNK_WIDTH_MS),
]

/** A point's chunks (in hour, id order) decoded, keeping the samples with from ≤ ts ≤ to. */
export function chunkRows(point: string, chunks: readonly Uint8Array[], from: number, to: number): StoredRow[] {
  return chunks
    .flatMap((data) => decodeChunk(data))
    .filter((s) => s.ts >= from && s.ts <= to)
    .map((s) => ({ point, ...s }))
}

/** Every stored sample of an edge's batches, blocks and chunks alike (chunks by the edge's points). */
export function edgeSamples(db: Database.Database, edge: string): StoredRow[] {
  const fromBlocks = [...blockSamplesBySeq(db, edge).values()].flat()
  const points = (db.prepare('SELECT id FROM points WHERE edge = ?').all(edge) as Array<{ id: string }>).map(
    (p) => p.id,
  )
  const sealed = points.flatMap((p) => chunkSamples(db, p, Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER))
  return [...sealed, ...fromBlocks]
}

/**
 * Removes every raw sample of a point (a test standing in for retention, or for raw data gone):
 * everything received is sealed into chunks first (as the compaction job would), then the
 * point's chunks go. Returns how many samples went.
 */
export function dropRawSamplesOf(db: Db, point: string): number {
  createCompaction(db, () => {}).compact(Number.MAX_SAFE_INTEGER)
  const n = db.$client.prepare('SELECT COALESCE(SUM(count), 0) AS n FROM sample_chunks WHERE point = ?').get(point) as {
    n: number
  }
  db.$client.prepare('DELETE FROM sample_chunks WHERE point = ?').run(point)
  return n.n
}

/** How many raw samples the database holds (chunks and blocks). */
export function rawSampleCount(db: Database.Database): number {
  const sum = (table: string) =>
    (db.prepare(`SELECT COALESCE(SUM(count), 0) AS n FROM ${table}`).get() as { n: number }).n
  return sum('sample_chunks') + sum('sample_blocks')
}
