import type { Value } from '../../../shared/wire/sample.ts'
import { ByteReader, ByteWriter } from './bits.ts'

/** What a sample's value is (shared/wire/sample.ts Value): one chunk may mix them (a bad read is null). */
export type ValueKind = 'number' | 'boolean' | 'string' | 'null'

const KINDS: readonly ValueKind[] = ['number', 'boolean', 'string', 'null']

export function kindOf(value: Value): ValueKind {
  if (value === null) return 'null'
  return typeof value as 'number' | 'boolean' | 'string'
}

/** Kinds as runs (kind, length): an analog point is one run. */
export function encodeKinds(kinds: readonly ValueKind[]): Uint8Array {
  const out = new ByteWriter()
  let i = 0
  while (i < kinds.length) {
    const kind = kinds[i] as ValueKind
    let run = 1
    while (kinds[i + run] === kind) run++
    out.byte(KINDS.indexOf(kind))
    out.varint(run)
    i += run
  }
  return out.finish()
}

export function decodeKinds(bytes: Uint8Array, count: number): ValueKind[] {
  const input = new ByteReader(bytes)
  const kinds: ValueKind[] = []
  while (!input.done) {
    const kind = KINDS[input.byte()]
    const run = input.varint()
    if (kind === undefined || run === 0 || kinds.length + run > count) throw new Error('bad kind run')
    for (let j = 0; j < run; j++) kinds.push(kind)
  }
  if (kinds.length !== count) throw new Error('kind runs do not cover the samples')
  return kinds
}
