import { type PointSamples, decodeBlock, decodeBlockPoint } from './block.ts'
import { type ChunkSample, decodeChunk } from './codec.ts'
import { CHUNK_WIDTH_MS } from './compact.ts'
import type { OnCorrupt } from './corrupt.ts'

/**
 * How a point's samples are put together from what the historian holds (issue 15), whatever the
 * engine: its sealed chunks (per hour) and the blocks not compacted yet, merged into ONE order:
 * by time, ties in arrival order. Chunks hold only blocks older than any block still waiting
 * (a compaction takes a prefix by block id), so "chunks by (hour, id) first, then blocks by id,
 * then a stable sort by time" is that order, before and after a compaction alike. A part that
 * does not decode is reported and skipped. The engines only fetch the rows, in those orders.
 */

/** A sample_chunks row as the readers fetch it. */
export interface ChunkRow {
  id: number
  hour: number
  fromTs: number
  toTs: number
  data: Uint8Array
}

/** A sample_blocks row as the readers fetch it. */
export interface BlockRow {
  id: number
  minTs: number
  maxTs: number
  data: Uint8Array
}

/** Stop reading chunks once this many samples newer than `ts` are in hand (the rest can only come later). */
export interface Enough {
  ts: number
  count: number
}

/** The chunk span holding ts, as compact.ts's planSegments assigns it. */
export const hourOf = (ts: number) => ts - (ts % CHUNK_WIDTH_MS)
const byTime = (a: ChunkSample, b: ChunkSample) => a.ts - b.ts

/** A chunk's samples (those whose time `keep` keeps, when given: codec.ts), or none (reported) when it does not decode. */
export function chunkSamples(
  point: string,
  row: ChunkRow,
  onCorrupt: OnCorrupt,
  keep?: (ts: number) => boolean,
): ChunkSample[] {
  try {
    return decodeChunk(row.data, keep)
  } catch (err) {
    onCorrupt({ kind: 'chunk', id: row.id, point, from: row.fromTs, to: row.toTs, error: String(err) })
    return []
  }
}

const blockDamage = (row: BlockRow, err: unknown) =>
  ({ kind: 'block', id: row.id, point: null, from: row.minTs, to: row.maxTs, error: String(err) }) as const

/** A block's points, or null (reported) when it does not decode. */
export function blockPoints(row: BlockRow, onCorrupt: OnCorrupt): PointSamples[] | null {
  try {
    return decodeBlock(row.data)
  } catch (err) {
    onCorrupt(blockDamage(row, err))
    return null
  }
}

/**
 * One point's sealed samples of [from, to] (and, with `keep`, only those it keeps), fed chunk rows
 * by (hour, id): `add` answers false once `enough` holds at an hour boundary (the caller stops
 * fetching). Samples outside are never made (codec.ts): a chunk cut by the range costs its columns.
 */
export function sealedSamples(
  point: string,
  from: number,
  to: number,
  onCorrupt: OnCorrupt,
  enough?: Enough,
  keep?: (ts: number) => boolean,
) {
  const out: ChunkSample[] = []
  let newer = 0
  let hour: number | null = null
  const inside = (ts: number) => ts >= from && ts <= to && (keep === undefined || keep(ts))
  return {
    out,
    add(row: ChunkRow): boolean {
      if (row.hour !== hour && enough && newer >= enough.count) return false
      hour = row.hour
      if (row.toTs < from || row.fromTs > to) return true
      for (const s of chunkSamples(point, row, onCorrupt, inside)) {
        out.push(s)
        if (enough && s.ts > enough.ts) newer++
      }
      return true
    },
  }
}

/** Appends one block's samples of `point` in [from, to] to `out` (blocks fed by id). */
export function addBlockSamples(out: ChunkSample[], point: string, row: BlockRow, range: Window, onCorrupt: OnCorrupt) {
  let samples: ChunkSample[]
  try {
    samples = decodeBlockPoint(row.data, point)
  } catch (err) {
    onCorrupt(blockDamage(row, err))
    return
  }
  for (const s of samples) if (s.ts >= range.from && s.ts <= range.to) out.push(s)
}

/**
 * One point's samples of [from, to] that `keep` keeps, in the historian's order, from its chunk
 * rows of some hours (by hour, id) and the blocks in range (by id): a rollup answer's partial
 * minutes (historian/spans.ts), whatever the engine fetched the rows with.
 */
export function keptSamples(
  point: string,
  range: { from: number; to: number; keep: (ts: number) => boolean },
  chunks: Iterable<ChunkRow>,
  blocks: Iterable<BlockRow>,
  onCorrupt: OnCorrupt,
): ChunkSample[] {
  const collect = sealedSamples(point, range.from, range.to, onCorrupt, undefined, range.keep)
  for (const row of chunks) collect.add(row)
  const out = collect.out
  for (const row of blocks) addBlockSamples(out, point, row, range, onCorrupt)
  // The blocks' samples are cut by range only: kept as the chunks' were.
  return inHistorianOrder(out.filter((s) => range.keep(s.ts)))
}

/** As addBlockSamples for many points at once: the block is decoded once. */
export function addBlockToPoints(out: Map<string, ChunkSample[]>, row: BlockRow, range: Window, onCorrupt: OnCorrupt) {
  for (const { point, samples } of blockPoints(row, onCorrupt) ?? []) {
    const list = out.get(point)
    if (list) for (const s of samples) if (s.ts >= range.from && s.ts <= range.to) list.push(s)
  }
}

interface Window {
  from: number
  to: number
}

/** The merged list in the historian's order (stable: ties keep chunk-then-block arrival order). */
export const inHistorianOrder = <S extends ChunkSample>(list: S[]): S[] => list.sort(byTime)
