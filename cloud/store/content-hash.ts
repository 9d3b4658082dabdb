import { createHash } from 'node:crypto'
import type { DataBatch } from '../../shared/wire/messages.ts'

/**
 * SHA-256 (hex) of what a batch says, without what an edge legitimately changes when it sends
 * the same batch again: `session` (a new connection), `floor` (its outbox moved on), `historical`
 * (the batch aged into backlog) and `gaps` (gap records ride with whichever batch carries them,
 * and grow). What is left is what the outbox stored at append: samples, alarms, camera events.
 *
 * Keys are sorted, so the same content hashes the same whatever order an encoder wrote them in.
 * The text hashed is exactly `JSON.stringify([samples, alarms ?? [], events ?? []])` with every
 * object's keys sorted (as stored hashes were always computed), written by `canonicalJson` in one
 * pass: rebuilding each object sorted for JSON.stringify was a tenth of a batch's ingest (profiled).
 */
export function batchContentHash(batch: Pick<DataBatch, 'samples' | 'alarms' | 'events'>): string {
  return createHash('sha256')
    .update(`[${listJson(batch.samples)},${listJson(batch.alarms ?? [])},${listJson(batch.events ?? [])}]`)
    .digest('hex')
}

/** canonicalJson of a batch's list: a list of plain samples by JSON.stringify itself (below). */
function listJson(list: readonly unknown[]): string {
  if (Array.isArray(list) && !hasToJson(list) && list.every(plainSample)) return JSON.stringify(list, SAMPLE_KEYS)
  return canonicalJson(list) ?? 'null'
}

// A sample's keys (shared/wire/sample.ts), sorted: the order canonicalJson writes them in.
const SAMPLE_KEYS = ['point', 'quality', 'reason', 'ts', 'value']
const SAMPLE_KEY_SET: ReadonlySet<string> = new Set(SAMPLE_KEYS)
const PRIMITIVE = new Set(['string', 'number', 'boolean', 'undefined'])

/**
 * A plain object with none but a sample's keys and only primitive values: JSON.stringify with
 * the sorted key list as its replacer writes exactly canonicalJson's text for a list of them (a
 * list replacer orders each object's keys and has nothing nested to filter), natively and twice
 * as fast as canonicalJson (a batch is a thousand samples: profiled, issue 15).
 */
function plainSample(v: unknown): boolean {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false
  const proto = Object.getPrototypeOf(v)
  if (proto !== Object.prototype && proto !== null) return false
  const record = v as Record<string, unknown>
  for (const k of Object.keys(record)) {
    const x = record[k]
    if (!SAMPLE_KEY_SET.has(k) || (x !== null && !PRIMITIVE.has(typeof x))) return false
  }
  return true
}

/**
 * JSON.stringify(value) with every object's keys sorted (by code unit, array-index keys first
 * in numeric order, as an object rebuilt from sorted keys enumerates them). `undefined` where
 * JSON.stringify writes nothing.
 */
export function canonicalJson(value: unknown): string | undefined {
  const v = hasToJson(value) ? value.toJSON() : value
  switch (typeof v) {
    case 'string':
      return JSON.stringify(v)
    case 'number':
      return Number.isFinite(v) ? String(v) : 'null'
    case 'boolean':
      return v ? 'true' : 'false'
    case 'bigint':
      return JSON.stringify(v) // throws, as JSON.stringify does
    case 'object':
      if (v === null) return 'null'
      return Array.isArray(v) ? arrayJson(v) : objectJson(v as Record<string, unknown>)
    default:
      return undefined // undefined, functions, symbols
  }
}

function arrayJson(list: readonly unknown[]): string {
  let out = '['
  for (let i = 0; i < list.length; i++) out += `${i > 0 ? ',' : ''}${canonicalJson(list[i]) ?? 'null'}`
  return `${out}]`
}

function objectJson(record: Record<string, unknown>): string {
  const shape = shapeOf(record)
  let out = '{'
  for (let i = 0; i < shape.keys.length; i++) {
    const text = canonicalJson(record[shape.keys[i] as string])
    if (text === undefined) continue
    out += `${out.length > 1 ? ',' : ''}${shape.names[i]}:${text}`
  }
  return `${out}}`
}

/** An object's keys in the order written, with their JSON names. */
interface Shape {
  keys: string[]
  names: string[]
}

// Batches repeat a handful of object shapes (a sample's keys) thousands of times: each shape's
// order is worked out once. Bounded, so odd content cannot grow it without limit.
const shapes = new Map<string, Shape>()
const MAX_SHAPES = 256

function shapeOf(record: Record<string, unknown>): Shape {
  const own = Object.keys(record)
  const signature = own.join('\u0000')
  const known = shapes.get(signature)
  // Same count and every known key present: the same key set (a signature can be ambiguous).
  if (known && known.keys.length === own.length && known.keys.every((k) => Object.hasOwn(record, k))) return known
  const keys = sortedKeys(own)
  const shape = { keys, names: keys.map((k) => JSON.stringify(k)) }
  if (shapes.size < MAX_SHAPES) shapes.set(signature, shape)
  return shape
}

const ARRAY_INDEX = /^(0|[1-9]\d*)$/

function sortedKeys(own: readonly string[]): string[] {
  const keys = [...own].sort()
  // An object enumerates array-index keys first, ascending: as the object the hash was first defined with.
  if (!keys.some((k) => ARRAY_INDEX.test(k) && Number(k) < 2 ** 32 - 1)) return keys
  return Object.keys(Object.fromEntries(keys.map((k) => [k, 0])))
}

function hasToJson(value: unknown): value is { toJSON(): unknown } {
  return typeof value === 'object' && value !== null && typeof (value as { toJSON?: unknown }).toJSON === 'function'
}
