import { z } from 'zod'
import { Quality } from '../quality.ts'
import { PointId } from './ids.ts'

/** A value as read: numbers for analog points, booleans for digital ones, text for states. */
export const Value = z.union([z.number(), z.boolean(), z.string().max(256), z.null()])
export type Value = z.infer<typeof Value>

/**
 * One reading of one point. `ts` is the SOURCE time in epoch milliseconds (when the device was
 * read or, for OPC UA, the server's source timestamp), never the time it reached the cloud.
 */
export const Sample = z.object({
  point: PointId,
  ts: z.number().int().nonnegative(),
  value: Value,
  quality: Quality,
  /** Why the quality is not good: a stable code from QualityReasons, optionally ":" detail. */
  reason: z.string().max(256).optional(),
})
export type Sample = z.infer<typeof Sample>

export function goodSample(point: string, ts: number, value: Value): Sample {
  return { point, ts, value, quality: 'good' }
}

export function badSample(point: string, ts: number, reason: string): Sample {
  return { point, ts, value: null, quality: 'bad', reason }
}
