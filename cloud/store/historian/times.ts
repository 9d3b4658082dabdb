import { ByteReader, ByteWriter } from './bits.ts'

/**
 * Timestamps as delta-of-delta zigzag varints (Gorilla, VLDB 2015, §4.1.1, byte-aligned): a
 * point read at a steady period costs one byte per sample, jitter a byte or two. Order is kept
 * as given, so an older sample after a newer one (late data) is a negative delta, not an error.
 */
export function encodeTimes(times: readonly number[]): Uint8Array {
  const out = new ByteWriter()
  let prev = 0
  let prevDelta = 0
  times.forEach((ts, i) => {
    if (i === 0) out.varint(ts)
    else {
      const delta = ts - prev
      out.svarint(delta - prevDelta)
      prevDelta = delta
    }
    prev = ts
  })
  return out.finish()
}

export function decodeTimes(bytes: Uint8Array, count: number): number[] {
  const input = new ByteReader(bytes)
  const times = new Array<number>(count)
  let prev = 0
  let delta = 0
  for (let i = 0; i < count; i++) {
    if (i === 0) prev = input.varint()
    else {
      delta += input.svarint()
      prev += delta
    }
    times[i] = prev
  }
  if (!input.done) throw new Error('times section longer than its samples')
  return times
}
