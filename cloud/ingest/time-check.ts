import { checkSamples, isClockSkewed, type TimeWindow } from '../../shared/rules/time-check.ts'
import type { DataBatch } from '../../shared/wire/messages.ts'
import type { CloudMetrics } from '../metrics.ts'
import type { IngestMeta, IngestResult } from '../store/repos/ingest.ts'
import { CloudTimeConfig, defaultCloudTimeConfig } from './time-config.ts'

export { CloudTimeConfig, defaultCloudTimeConfig }

export const cloudWindow = (c: CloudTimeConfig): TimeWindow => ({
  aheadMs: c.aheadS * 1000,
  behindMs: Math.round(c.behindH * 3_600_000),
})

/**
 * Historical marking depends on the cloud's receive time, not only on the edge's clock. The edge
 * marks a batch `historical` when it was written more than a minute before it is sent (by the
 * edge's clock, edge/uplink/uplink.ts); a forward step of that clock makes a fresh backlog
 * look old and its alarms would be pushed to nobody. Rule: a batch is history for notification
 * purposes only when the edge says so AND its newest trusted sample (not clock_skew) is older
 * than `historicalAfterS` by the cloud's clock. A batch the edge marks historical whose samples
 * are recent by the cloud's clock is notified. (Not the other way round: a batch the edge sends
 * as live is always notified, whatever its times; its skewed samples are simply not evaluated.)
 * Only notification follows this verdict; the order of evaluation still follows the edge's mark.
 */
export function historicalVerdict(batch: DataBatch, receivedAt: number, c: CloudTimeConfig): boolean | undefined {
  if (!batch.historical) return undefined
  const trusted = batch.samples.filter((s) => !isClockSkewed(s))
  if (trusted.length === 0) return undefined
  const newest = Math.max(...trusted.map((s) => s.ts))
  return receivedAt - newest > c.historicalAfterS * 1000 ? undefined : false
}

/** The batch as the cloud stores it (times checked) and the meta the store needs for it; counts what it marked. */
export function checkBatchTimes(
  batch: DataBatch,
  receivedAt: number,
  c: CloudTimeConfig,
  metrics: CloudMetrics,
): { batch: DataBatch; meta: Pick<IngestMeta, 'historical'> } {
  const { samples, skewed } = checkSamples(batch.samples, receivedAt, cloudWindow(c))
  metrics.time.skewedAhead += skewed.ahead
  metrics.time.skewedBehind += skewed.behind
  const checked = skewed.ahead + skewed.behind > 0 ? { ...batch, samples } : batch
  const historical = historicalVerdict(checked, receivedAt, c)
  if (historical === false) metrics.time.historicalNotified++
  return { batch: checked, meta: historical === undefined ? {} : { historical } }
}

/** The samples the rules did not evaluate, by reason, into the health counters. */
export function countUnevaluated(metrics: CloudMetrics, result: IngestResult): void {
  for (const [reason, n] of Object.entries(result.unevaluated ?? {}))
    metrics.time.unevaluated[reason as keyof CloudMetrics['time']['unevaluated']] += n
}
