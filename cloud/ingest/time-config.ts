import { z } from 'zod'

/**
 * The cloud's time checks (issue 14), config `time`:
 * - `aheadS` / `behindH`: the window a sample's source time must fall in, by the cloud's receive
 *   clock (shared/rules/time-check.ts). Default 5 min ahead; behind: 8 784 h (366 days, the largest
 *   `outbox.maxAgeH` an edge accepts: older data cannot be a genuine delayed reading). Outside it
 *   the sample is stored as `uncertain` with a `clock_skew:…` reason, never pins the latest value
 *   and is not evaluated (traced, counted in /api/v1/health).
 * - `historicalAfterS`: see historicalVerdict (time-check.ts).
 * - `clockOffsetAlarmS`: an edge whose clock is off by more than this raises CLOCK on edge:{id}
 *   (cloud/alarms/clock.ts).
 */
export const CloudTimeConfig = z.strictObject({
  aheadS: z.number().int().min(0).max(86_400).default(300),
  behindH: z
    .number()
    .positive()
    .max(24 * 366)
    .default(24 * 366),
  historicalAfterS: z.number().int().min(0).max(86_400).default(300),
  clockOffsetAlarmS: z.number().int().min(1).max(86_400).default(60),
})
export type CloudTimeConfig = z.infer<typeof CloudTimeConfig>
export const defaultCloudTimeConfig: CloudTimeConfig = CloudTimeConfig.parse({})
