import type { Logger } from 'pino'
import { errorMessage } from '../../shared/errors.ts'
import type { AlarmChange, AlarmRecord } from '../alarms/model.ts'

/**
 * Counts committed alarm raises by priority (issue 16, `parklink_cloud_alarms_raised_total`).
 * The change names the alarm only, so its priority is read back once per raise (raises are
 * rare next to samples); a read that fails is logged and the raise goes uncounted.
 */
export function countRaises(
  byPriority: Record<string, number>,
  read: (id: number) => Promise<Pick<AlarmRecord, 'priority'> | null>,
  log: Logger,
): (change: AlarmChange) => void {
  return (change) => {
    if (change.action !== 'raise') return
    read(change.alarm).then(
      (alarm) => {
        if (alarm) byPriority[alarm.priority] = (byPriority[alarm.priority] ?? 0) + 1
      },
      (err: unknown) => log.debug({ alarm: change.alarm, err: errorMessage(err) }, 'raise not counted for /metrics'),
    )
  }
}
