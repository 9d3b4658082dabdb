import type { UnevaluatedRecord } from './repos/telemetry.ts'

/** An `unevaluated` row (both engines' schema.ts) as the API's record: engine-neutral. */
export const toUnevaluatedRecord = (r: {
  point: string
  edge: string
  seq: number
  reason: UnevaluatedRecord['reason']
  count: number
  fromTs: number
  toTs: number
  evaluatedThrough: number | null
  receivedAt: number
}): UnevaluatedRecord => ({
  point: r.point,
  edge: r.edge,
  seq: r.seq,
  reason: r.reason,
  samples: r.count,
  from: r.fromTs,
  to: r.toTs,
  evaluatedThrough: r.evaluatedThrough,
  receivedAt: r.receivedAt,
})
