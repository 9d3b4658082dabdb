import { z } from 'zod'

/**
 * `batching:` in the edge config. Pushed samples (OPC UA data changes, HJ 212 packets) of a
 * device are written to the outbox together: at most `batchMs` after the first one waits, or as
 * soon as `maxSamples` wait. One flush is one outbox commit (split into messages of at most
 * `uplink.batchSize` samples inside that commit).
 */
export const BatchingConfig = z.strictObject({
  batchMs: z.number().int().min(10).max(5_000).default(200),
  maxSamples: z.number().int().min(1).max(1_000_000).default(5_000),
})
export type BatchingConfig = z.infer<typeof BatchingConfig>

export const DEFAULT_BATCHING: BatchingConfig = { batchMs: 200, maxSamples: 5_000 }
