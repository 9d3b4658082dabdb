import { z } from 'zod'

/**
 * `coordination:` in the cloud config: how replicas on one PostgreSQL database share the work that
 * must run once (issue 16, cloud/cluster/). Ignored on SQLite (one process).
 */
export const CoordinationConfig = z.strictObject({
  /** The leader checks it still holds the lease this often; a lost lease stops its timers within it. */
  leaderCheckS: z.number().min(0.5).max(60).default(2),
  /** A replica that does not lead tries to take the lease this often: the takeover bound once the old leader's session is gone. */
  leaderRetryS: z.number().min(0.5).max(60).default(3),
  /** Each replica reads the alarm timeline at least this often, besides on every NOTIFY (a lost notification costs at most this). */
  relayPollS: z.number().min(0.5).max(60).default(2),
})
export type CoordinationConfig = z.infer<typeof CoordinationConfig>
