import { crc32 } from 'node:zlib'
import { ByteReader, ByteWriter } from './bits.ts'
import { ChunkCorrupt, decodeChunk, encodeChunk, type ChunkSample } from './codec.ts'

/**
 * A block: one data batch's samples as the historian takes them in, written with ONE statement
 * per batch (issue 15: "a small, fixed number of statements per batch, not statements per
 * sample"). Inside, a directory of the batch's points and, per point, its samples as a chunk
 * (codec.ts), so one point can be read without decoding the others. A compaction later moves
 * blocks into per-point chunks (compact.ts) and deletes them.
 *
 *   'P' 'B' version n | n × id | n × chunk length | n × chunk | crc32(directory)
 */
const MAGIC = [0x50, 0x42] as const
const VERSION = 1

export interface PointSamples {
  point: string
  samples: ChunkSample[]
}

const utf8 = new TextEncoder()
const fromUtf8 = new TextDecoder('utf-8', { fatal: true })

/** The samples of a batch grouped by point, in the order they came (each point's order kept). */
export function groupByPoint<S extends ChunkSample & { point: string }>(samples: readonly S[]): PointSamples[] {
  const byPoint = new Map<string, ChunkSample[]>()
  for (const s of samples) {
    const sample: ChunkSample =
      s.reason === undefined
        ? { ts: s.ts, value: s.value, quality: s.quality }
        : { ts: s.ts, value: s.value, quality: s.quality, reason: s.reason }
    const list = byPoint.get(s.point)
    if (list) list.push(sample)
    else byPoint.set(s.point, [sample])
  }
  return [...byPoint].map(([point, list]) => ({ point, samples: list }))
}

export function encodeBlock(points: readonly PointSamples[]): Uint8Array {
  const chunks = points.map((p) => encodeChunk(p.samples))
  const directory = new ByteWriter()
  directory.bytes(Uint8Array.from([...MAGIC, VERSION]))
  directory.varint(points.length)
  for (const p of points) directory.section(utf8.encode(p.point))
  for (const c of chunks) directory.varint(c.length)
  const head = directory.finish()
  const out = new ByteWriter()
  out.varint(head.length)
  out.bytes(head)
  const c = crc32(head)
  out.bytes(Uint8Array.from([c >>> 24, (c >>> 16) & 0xff, (c >>> 8) & 0xff, c & 0xff]))
  for (const chunk of chunks) out.bytes(chunk)
  return out.finish()
}

interface Directory {
  points: string[]
  offsets: number[]
  lengths: number[]
}

function readDirectory(bytes: Uint8Array): Directory {
  try {
    const input = new ByteReader(bytes)
    const headLength = input.varint()
    const head = input.bytes(headLength)
    const crc = input.bytes(4)
    const c = crc32(head)
    if (crc[0] !== c >>> 24 || crc[1] !== ((c >>> 16) & 0xff) || crc[2] !== ((c >>> 8) & 0xff) || crc[3] !== (c & 0xff))
      throw new Error('directory checksum mismatch')
    const dir = new ByteReader(head)
    if (dir.byte() !== MAGIC[0] || dir.byte() !== MAGIC[1]) throw new Error('not a block')
    const version = dir.byte()
    if (version !== VERSION) throw new Error(`unknown block version ${version}`)
    const n = dir.varint()
    const points = Array.from({ length: n }, () => fromUtf8.decode(dir.section()))
    const lengths = Array.from({ length: n }, () => dir.varint())
    let at = bytes.length - lengths.reduce((a, b) => a + b, 0)
    if (at < 0) throw new Error('block truncated')
    const offsets = lengths.map((len) => {
      const offset = at
      at += len
      return offset
    })
    return { points, offsets, lengths }
  } catch (err) {
    if (err instanceof ChunkCorrupt) throw err
    throw new ChunkCorrupt(err instanceof Error ? err.message : String(err), { cause: err })
  }
}

/** Every point's samples of the block. */
export function decodeBlock(bytes: Uint8Array): PointSamples[] {
  const dir = readDirectory(bytes)
  return dir.points.map((point, i) => ({
    point,
    samples: decodeChunk(bytes.subarray(dir.offsets[i], (dir.offsets[i] as number) + (dir.lengths[i] as number))),
  }))
}

/** One point's samples of the block (empty when the batch did not carry it), the others left encoded. */
export function decodeBlockPoint(bytes: Uint8Array, point: string): ChunkSample[] {
  const dir = readDirectory(bytes)
  const i = dir.points.indexOf(point)
  if (i < 0) return []
  return decodeChunk(bytes.subarray(dir.offsets[i], (dir.offsets[i] as number) + (dir.lengths[i] as number)))
}
