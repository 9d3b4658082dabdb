import { ParklinkError, errorMessage } from '../../shared/errors.ts'
import type { EdgeAlarm } from '../../shared/wire/messages.ts'
import type { Sample } from '../../shared/wire/sample.ts'
import { budgetOf, splitSamples } from '../message-size.ts'
import type { Outbox } from '../outbox/outbox.ts'

export interface AppendLimits {
  /** Most samples in one outbox batch (= one published message): `uplink.batchSize`. */
  batchSize: number
  /** The broker's `message_size_limit` (`uplink.maxMessageBytes`): no batch's message exceeds it (edge/message-size.ts). */
  maxMessageBytes: number
}

export interface AppendReport {
  /** Samples the outbox refused (all or nothing). */
  onLost(lost: number, err: string, hint: string | undefined): void
  /** Samples each larger than one message can carry: never written (PL_MESSAGE_TOO_LARGE). */
  onTooLarge(samples: readonly Sample[]): void
}

/**
 * Writes samples (and the alarms they caused) to the outbox in ONE commit: one outbox batch is
 * one published message, so the samples are split into parts of at most `batchSize` samples and
 * under the broker's size limit, and the alarms ride with the last part, after every sample that
 * caused them. Returns the samples written.
 */
export function appendInParts(
  outbox: Outbox,
  samples: readonly Sample[],
  alarms: readonly EdgeAlarm[],
  limits: AppendLimits,
  report: AppendReport,
): number {
  if (samples.length === 0) return 0
  const reserve = alarms.length > 0 ? Buffer.byteLength(JSON.stringify(alarms), 'utf8') + 16 : 0
  const cut = splitSamples(samples, limits.batchSize, budgetOf(limits.maxMessageBytes), reserve)
  if (cut.tooLarge.length > 0) report.onTooLarge(cut.tooLarge)
  const parts = cut.batches.map((b, i) =>
    i === cut.batches.length - 1 && alarms.length > 0 ? { samples: b, alarms } : { samples: b },
  )
  if (parts.length === 0) return 0
  const written = parts.reduce((n, p) => n + p.samples.length, 0)
  try {
    if (parts.length === 1) outbox.append(parts[0]!.samples, parts[0]!.alarms)
    else outbox.appendMany(parts)
    return written
  } catch (err) {
    report.onLost(written, errorMessage(err), err instanceof ParklinkError ? err.hint : undefined)
    return 0
  }
}
