import type { TraceRecord } from '../../alarms/engine/trace.ts'
import { inChunks } from './chunks.ts'
import { unevaluated } from './schema.ts'
import type { Q } from './tx.ts'

/** Where a batch's untraced samples came from (as sqlite/late.ts records it). */
export interface TraceAt {
  edge: string
  seq: number
  receivedAt: number
}

export type UnevaluatedRow = typeof unevaluated.$inferInsert

/** The rows of one point's trace records (issue 14: "never dropped without a trace"); none for empty lists. */
export function traceRows(at: TraceAt, point: string, records: readonly TraceRecord[]): UnevaluatedRow[] {
  const rows: UnevaluatedRow[] = []
  for (const r of records) {
    if (r.samples.length === 0) continue
    let from = Number.POSITIVE_INFINITY
    let to = Number.NEGATIVE_INFINITY
    for (const s of r.samples) {
      if (s.ts < from) from = s.ts
      if (s.ts > to) to = s.ts
    }
    rows.push({
      point,
      edge: at.edge,
      seq: at.seq,
      reason: r.reason,
      count: r.samples.length,
      fromTs: from,
      toTs: to,
      evaluatedThrough: r.evaluatedThrough,
      receivedAt: at.receivedAt,
    })
  }
  return rows
}

/** Writes a batch's trace rows, in its transaction: one multi-row INSERT (not one per point). */
export async function writeTraces(q: Q, rows: readonly UnevaluatedRow[]): Promise<void> {
  await inChunks(rows, 9, (chunk) => q.insert(unevaluated).values(chunk))
}
