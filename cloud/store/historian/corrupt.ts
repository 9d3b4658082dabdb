import type { Logger } from 'pino'

/**
 * A historian chunk or block that does not decode (disk damage; issue 15 "bad input"): reported
 * by point and time range, and skipped, so a query answers with what is readable. `point` is
 * null for a block whose directory is unreadable (its points are unknown). Engine-neutral: both
 * engines' reads and compactions report through an injected OnCorrupt.
 */
export interface CorruptPart {
  kind: 'chunk' | 'block'
  id: number
  point: string | null
  from: number
  to: number
  error: string
}

export type OnCorrupt = (part: CorruptPart) => void

/** The default report: an error line naming what is lost (the service also counts it, cloud/metrics.ts). */
export const logCorrupt =
  (log: Pick<Logger, 'error'>): OnCorrupt =>
  (part) =>
    log.error(
      { ...part },
      `HISTORIAN DAMAGE: a stored ${part.kind} does not decode; its samples are skipped (restore the database from backup to get them back)`,
    )
