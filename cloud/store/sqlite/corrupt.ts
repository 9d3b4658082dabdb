import type { Logger } from 'pino'
import type { OnCorrupt } from '../historian/corrupt.ts'

/** The report's shape is engine-neutral (cloud/store/historian/corrupt.ts). */
export type { CorruptPart, OnCorrupt } from '../historian/corrupt.ts'

/** The default report: an error line naming what is lost (the service also counts it, cloud/metrics.ts). */
export const logCorrupt =
  (log: Logger): OnCorrupt =>
  (part) =>
    log.error(
      { ...part },
      `HISTORIAN DAMAGE: a stored ${part.kind} does not decode; its samples are skipped (restore the database from backup to get them back)`,
    )
