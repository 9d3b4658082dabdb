import type Database from 'better-sqlite3'
import { decodeBlock } from '../../cloud/store/historian/block.ts'
import { decodeChunk, type ChunkSample } from '../../cloud/store/historian/codec.ts'
import { CHUNK_WIDTH_MS } from '../../cloud/store/historian/compact.ts'

/** One stored sample as tests read it from a cloud database file (the historian's blocks and chunks, issue 15). */
export interface StoredRow extends ChunkSample {
  point: string
}

/** The samples of an edge's batches still held as blocks (not compacted yet), by seq (all outboxes), each block's rows in point order. */
export function blockSamplesBySeq(db: Database.Database, edge: string): Map<number, StoredRow[]> {
  const bySeq = new Map<number, StoredRow[]>()
  for (const b of db.prepare('SELECT seq, data FROM sample_blocks WHERE edge = ? ORDER BY id').all(edge) as Array<{
    seq: number
    data: Buffer
  }>) {
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
    .all(point, from - (from % CHUNK_WIDTH_MS), to - (to % CHUNK_WIDTH_MS)) as Array<{ data: Buffer }>
  return rows
    .flatMap((r) => decodeChunk(r.data))
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
