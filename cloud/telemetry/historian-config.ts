import { z } from 'zod'

/**
 * The historian's compaction (issue 15), config `historian`:
 * - `compactAfterS`: blocks (one per stored batch) received longer ago than this are sealed into
 *   per-point hourly chunks. Reads merge what is not sealed yet, so this only trades read work
 *   on recent data against how often an hour's chunk is re-encoded. Default 5 min.
 * - `compactEveryS`: how often the compaction runs. Default 5 min.
 */
export const HistorianConfig = z.strictObject({
  compactAfterS: z.number().int().min(0).max(86_400).default(300),
  compactEveryS: z.number().int().min(1).max(86_400).default(300),
})
export type HistorianConfig = z.infer<typeof HistorianConfig>
export const defaultHistorianConfig: HistorianConfig = HistorianConfig.parse({})
