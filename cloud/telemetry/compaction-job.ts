import type { Logger } from 'pino'
import type { Clock } from '../../shared/clock.ts'
import { errorMessage } from '../../shared/errors.ts'
import { startPeriodic } from '../../shared/periodic.ts'
import type { CloudMetrics } from '../metrics.ts'
import type { CompactionResult, TelemetryRepo } from '../store/store.ts'
import type { HistorianConfig } from './historian-config.ts'

export interface HistorianCompaction {
  /** One compaction now, of the blocks received more than `compactAfterS` ago. */
  runOnce(): Promise<CompactionResult>
  stop(): void
}

/**
 * The historian's compaction on the injected clock (issue 15): every `compactEveryS`, the blocks
 * older than `compactAfterS` become hourly chunks (cloud/store/sqlite/compaction.ts). A failed
 * round is logged and counted; the next one runs anyway.
 */
export function startHistorianCompaction(o: {
  store: Pick<TelemetryRepo, 'compactSamples'>
  clock: Clock
  log: Logger
  config: HistorianConfig
  metrics: CloudMetrics
}): HistorianCompaction {
  const { store, clock, log, config, metrics } = o
  const runOnce = async () => {
    const result = await store.compactSamples(clock.now() - config.compactAfterS * 1000)
    metrics.historian.compactions++
    metrics.historian.compactedSamples += result.samples
    if (result.blocks > 0) log.debug({ ...result }, 'historian blocks sealed into chunks')
    return result
  }
  const job = startPeriodic(clock, config.compactEveryS * 1000, runOnce, (err) => {
    metrics.historian.compactionFailures++
    log.error({ err: errorMessage(err) }, 'historian compaction failed this round; the next round tries again')
  })
  return { runOnce, stop: () => job.stop() }
}
