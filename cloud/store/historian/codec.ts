import { crc32 } from 'node:zlib'
import type { Quality } from '../../../shared/quality.ts'
import type { Value } from '../../../shared/wire/sample.ts'
import { ByteReader, ByteWriter } from './bits.ts'
import { decimalScale, decodeScaled, decodeXor, encodeScaled, encodeXor } from './floats.ts'
import { decodeQualities, encodeQualities, type QualityEntry } from './qualities.ts'
import { decodeTimes, encodeTimes } from './times.ts'
import { decodeKinds, encodeKinds, kindOf, type ValueKind } from './kinds.ts'

/** One sample of one point as a chunk holds it (the point and the chunk's bounds are the row's). */
export interface ChunkSample {
  ts: number
  value: Value
  quality: Quality
  reason?: string
}

/**
 * A historian chunk: the samples of one point, in the order given (the store keeps them by time),
 * column by column as historians store them (Gorilla, VLDB 2015; PI's and InfluxDB's TSM
 * columnar blocks): delta-of-delta times, one of two number encodings (floats.ts), booleans as
 * bits, strings from a dictionary, and quality as runs. A CRC-32 over the whole lets a damaged
 * chunk be told from a good one (decodeChunk throws ChunkCorrupt; the reader reports and skips).
 *
 *   'P' 'H' version count | times | kinds | numbers | booleans | strings | qualities | crc32
 */
const MAGIC = [0x50, 0x48] as const
const VERSION = 1

const NUMBERS_NONE = 0
const NUMBERS_SCALED = 1
const NUMBERS_XOR = 2

export class ChunkCorrupt extends Error {
  constructor(reason: string, options?: { cause?: unknown }) {
    super(`historian chunk does not decode: ${reason}`, options)
    this.name = 'ChunkCorrupt'
  }
}

export function encodeChunk(samples: readonly ChunkSample[]): Uint8Array {
  const kinds = samples.map((s) => kindOf(s.value))
  const numbers: number[] = []
  const booleans: boolean[] = []
  const strings: string[] = []
  for (const { value } of samples) {
    if (typeof value === 'number') numbers.push(value)
    else if (typeof value === 'boolean') booleans.push(value)
    else if (typeof value === 'string') strings.push(value)
  }
  const out = new ByteWriter()
  out.bytes(Uint8Array.from([...MAGIC, VERSION]))
  out.varint(samples.length)
  out.section(encodeTimes(samples.map((s) => s.ts)))
  out.section(encodeKinds(kinds))
  out.section(encodeNumbers(numbers))
  out.section(encodeBooleans(booleans))
  out.section(encodeStrings(strings))
  out.section(encodeQualities(samples))
  const body = out.finish()
  const sealed = new ByteWriter()
  sealed.bytes(body)
  sealed.bytes(crcBytes(body))
  return sealed.finish()
}

/**
 * The chunk's samples; with `keep`, only those whose time it keeps: no sample is made of the
 * others, and the values after the last kept time are not decoded at all (each column being
 * sequential, those before it still are): a read of a few minutes of an hour's chunk costs the
 * times and the values up to those minutes, not an object per sample of the hour. The CRC still
 * covers the whole chunk.
 */
export function decodeChunk(bytes: Uint8Array, keep?: (ts: number) => boolean): ChunkSample[] {
  if (bytes.length < 8) throw new ChunkCorrupt('too short')
  const body = bytes.subarray(0, bytes.length - 4)
  const crc = bytes.subarray(bytes.length - 4)
  if (!crcBytes(body).every((b, i) => b === crc[i])) throw new ChunkCorrupt('checksum mismatch')
  try {
    return decodeBody(body, keep)
  } catch (err) {
    throw new ChunkCorrupt(err instanceof Error ? err.message : String(err), { cause: err })
  }
}

function decodeBody(body: Uint8Array, keep?: (ts: number) => boolean): ChunkSample[] {
  const input = new ByteReader(body)
  if (input.byte() !== MAGIC[0] || input.byte() !== MAGIC[1]) throw new Error('not a chunk')
  const version = input.byte()
  if (version !== VERSION) throw new Error(`unknown chunk version ${version}`)
  const count = input.varint()
  const times = decodeTimes(input.section(), count)
  // The samples up to the last kept one: the numbers after it are never read.
  const end = keep === undefined ? count : lastKept(times, keep) + 1
  const kinds = decodeKinds(input.section(), count)
  const tally = countKinds(kinds)
  const numbers = decodeNumbers(input.section(), tally.number, numbersBefore(kinds, end))
  const booleans = decodeBooleans(input.section(), tally.boolean)
  const strings = decodeStrings(input.section(), tally.string)
  const qualities = decodeQualities(input.section(), count)
  const next = { number: 0, boolean: 0, string: 0 }
  const out: ChunkSample[] = []
  for (let i = 0; i < end; i++) {
    const kind = kinds[i] as ValueKind
    // Every sample moves its kind's cursor, kept or not.
    const value: Value =
      kind === 'number'
        ? (numbers[next.number++] as number)
        : kind === 'boolean'
          ? (booleans[next.boolean++] as boolean)
          : kind === 'string'
            ? (strings[next.string++] as string)
            : null
    const ts = times[i] as number
    if (keep === undefined || keep(ts)) out.push(withQuality(ts, value, qualities[i] as QualityEntry))
  }
  return out
}

function withQuality(ts: number, value: Value, q: QualityEntry): ChunkSample {
  return q.reason === undefined
    ? { ts, value, quality: q.quality }
    : { ts, value, quality: q.quality, reason: q.reason }
}

/** The index of the last time `keep` keeps, -1 when none. */
function lastKept(times: readonly number[], keep: (ts: number) => boolean): number {
  let i = times.length - 1
  while (i >= 0 && !keep(times[i] as number)) i--
  return i
}

/** How many of the first `end` samples are numbers. */
function numbersBefore(kinds: readonly ValueKind[], end: number): number {
  let n = 0
  for (let i = 0; i < end; i++) if (kinds[i] === 'number') n++
  return n
}

function countKinds(kinds: readonly ValueKind[]): Record<ValueKind, number> {
  const tally: Record<ValueKind, number> = { number: 0, boolean: 0, string: 0, null: 0 }
  // Field by field, not tally[k]++: a keyed update per sample was a chunk read's largest cost (profiled, issue 15).
  for (const k of kinds) {
    if (k === 'number') tally.number++
    else if (k === 'boolean') tally.boolean++
    else if (k === 'string') tally.string++
    else tally.null++
  }
  return tally
}

function crcBytes(body: Uint8Array): Uint8Array {
  const c = crc32(body)
  return Uint8Array.from([c >>> 24, (c >>> 16) & 0xff, (c >>> 8) & 0xff, c & 0xff])
}

function encodeNumbers(values: readonly number[]): Uint8Array {
  const out = new ByteWriter()
  if (values.length === 0) out.byte(NUMBERS_NONE)
  else {
    const scale = decimalScale(values)
    if (scale !== null) {
      out.byte(NUMBERS_SCALED)
      out.byte(scale)
      out.bytes(encodeScaled(values, scale))
    } else {
      out.byte(NUMBERS_XOR)
      out.bytes(encodeXor(values))
    }
  }
  return out.finish()
}

/** The first `wanted` of the section's `count` numbers. */
function decodeNumbers(bytes: Uint8Array, count: number, wanted = count): number[] {
  const input = new ByteReader(bytes)
  const mode = input.byte()
  if (mode === NUMBERS_NONE) {
    if (count !== 0) throw new Error('numbers missing')
    return []
  }
  if (mode === NUMBERS_SCALED) {
    const scale = input.byte()
    return decodeScaled(bytes.subarray(2), scale, wanted)
  }
  if (mode === NUMBERS_XOR) return decodeXor(bytes.subarray(1), wanted)
  throw new Error(`unknown number encoding ${mode}`)
}

function encodeBooleans(values: readonly boolean[]): Uint8Array {
  const out = new Uint8Array(Math.ceil(values.length / 8))
  values.forEach((v, i) => {
    if (v) out[i >>> 3] = (out[i >>> 3] as number) | (0x80 >>> (i & 7))
  })
  return out
}

function decodeBooleans(bytes: Uint8Array, count: number): boolean[] {
  if (bytes.length !== Math.ceil(count / 8)) throw new Error('booleans truncated')
  return Array.from({ length: count }, (_, i) => (((bytes[i >>> 3] as number) << (i & 7)) & 0x80) !== 0)
}

const fromUtf8 = new TextDecoder('utf-8', { fatal: true })

/** A dictionary of the distinct strings, then each sample's index into it. */
export function encodeStrings(values: readonly string[]): Uint8Array {
  const out = new ByteWriter()
  const index = new Map<string, number>()
  for (const v of values) if (!index.has(v)) index.set(v, index.size)
  out.varint(index.size)
  for (const v of index.keys()) out.text(v)
  for (const v of values) out.varint(index.get(v) as number)
  return out.finish()
}

export function decodeStrings(bytes: Uint8Array, count: number): string[] {
  const input = new ByteReader(bytes)
  const dict = Array.from({ length: input.varint() }, () => fromUtf8.decode(input.section()))
  return Array.from({ length: count }, () => {
    const i = input.varint()
    if (i >= dict.length) throw new Error('string index out of range')
    return dict[i] as string
  })
}
