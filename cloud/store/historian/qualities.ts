import type { Quality } from '../../../shared/quality.ts'
import { ByteReader, ByteWriter } from './bits.ts'

export interface QualityEntry {
  quality: Quality
  reason?: string
}

const QUALITIES: readonly Quality[] = ['good', 'uncertain', 'bad']
const fromUtf8 = new TextDecoder('utf-8', { fatal: true })

const keyOf = (q: QualityEntry): string => `${q.quality}\u0000${q.reason ?? '\u0001'}`
const sameQuality = (a: QualityEntry, b: QualityEntry): boolean => a.quality === b.quality && a.reason === b.reason

/**
 * Quality and reason as runs over a dictionary of the distinct (quality, reason) pairs: a point
 * that is good all hour is one run; an outage is one run of (bad, "timeout").
 */
export function encodeQualities(samples: readonly QualityEntry[]): Uint8Array {
  const out = new ByteWriter()
  const dict = new Map<string, { index: number; entry: QualityEntry }>()
  samples.forEach((s, i) => {
    if (i > 0 && sameQuality(s, samples[i - 1] as QualityEntry)) return
    const key = keyOf(s)
    if (!dict.has(key)) dict.set(key, { index: dict.size, entry: s })
  })
  out.varint(dict.size)
  for (const { entry } of dict.values()) {
    out.byte(QUALITIES.indexOf(entry.quality) | (entry.reason === undefined ? 0 : 0x80))
    if (entry.reason !== undefined) out.text(entry.reason)
  }
  let i = 0
  while (i < samples.length) {
    const first = samples[i] as QualityEntry
    let run = 1
    while (i + run < samples.length && sameQuality(samples[i + run] as QualityEntry, first)) run++
    out.varint((dict.get(keyOf(first)) as { index: number }).index)
    out.varint(run)
    i += run
  }
  return out.finish()
}

export function decodeQualities(bytes: Uint8Array, count: number): QualityEntry[] {
  const input = new ByteReader(bytes)
  const dict = Array.from({ length: input.varint() }, (): QualityEntry => {
    const tag = input.byte()
    const quality = QUALITIES[tag & 0x7f]
    if (quality === undefined) throw new Error('bad quality')
    return tag & 0x80 ? { quality, reason: fromUtf8.decode(input.section()) } : { quality }
  })
  const out: QualityEntry[] = []
  while (!input.done) {
    const entry = dict[input.varint()]
    const run = input.varint()
    if (entry === undefined || run === 0 || out.length + run > count) throw new Error('bad quality run')
    for (let j = 0; j < run; j++) out.push(entry)
  }
  if (out.length !== count) throw new Error('quality runs do not cover the samples')
  return out
}
