import { ParklinkError, errorMessage } from '../../shared/errors.ts'
import type { EdgeAlarm } from '../../shared/wire/messages.ts'
import type { Sample } from '../../shared/wire/sample.ts'
import type { Outbox } from '../outbox/outbox.ts'

/**
 * Writes samples (and the alarms they caused) to the outbox in ONE commit: one outbox batch is
 * one published message, so the samples are split into parts of at most `batchSize`, and the
 * alarms ride with the last part, after every sample that caused them. Returns the samples
 * written; a refusal (all or nothing) is reported with the count lost.
 */
export function appendInParts(
  outbox: Outbox,
  samples: readonly Sample[],
  alarms: readonly EdgeAlarm[],
  batchSize: number,
  onLost: (lost: number, err: string, hint: string | undefined) => void,
): number {
  if (samples.length === 0) return 0
  const parts: Array<{ samples: readonly Sample[]; alarms?: readonly EdgeAlarm[] }> = []
  for (let i = 0; i < samples.length; i += batchSize) {
    const last = i + batchSize >= samples.length
    parts.push(last && alarms.length > 0 ? { samples: samples.slice(i, i + batchSize), alarms } : { samples: samples.slice(i, i + batchSize) })
  }
  try {
    if (parts.length === 1) outbox.append(parts[0]!.samples, parts[0]!.alarms)
    else outbox.appendMany(parts)
    return samples.length
  } catch (err) {
    onLost(samples.length, errorMessage(err), err instanceof ParklinkError ? err.hint : undefined)
    return 0
  }
}
