import type { Sample } from '../../../shared/wire/sample.ts'
import { encodeBlock, groupByPoint } from './block.ts'

/** Where a batch came from and when, as its block row keeps it (both engines' sample_blocks). */
export interface BlockKey {
  edge: string
  outbox: string
  seq: number
  receivedAt: number
}

// -0 is stored as 0, as the REAL column of the row-per-sample store kept it.
const negativeZero = (s: Sample) => Object.is(s.value, -0)
const plainZero = (s: Sample): Sample => (negativeZero(s) ? { ...s, value: 0 } : s)

/**
 * A batch's samples as ONE historian block (block.ts) with the times it spans: what both
 * engines' writers insert as one sample_blocks row. Null for an empty batch (nothing is written).
 */
export function blockRowOf(
  samples: readonly Sample[],
): { minTs: number; maxTs: number; count: number; data: Uint8Array } | null {
  if (samples.length === 0) return null
  let minTs = Number.POSITIVE_INFINITY
  let maxTs = Number.NEGATIVE_INFINITY
  for (const s of samples) {
    if (s.ts < minTs) minTs = s.ts
    if (s.ts > maxTs) maxTs = s.ts
  }
  const data = encodeBlock(groupByPoint(samples.some(negativeZero) ? samples.map(plainZero) : samples))
  return { minTs, maxTs, count: samples.length, data }
}
