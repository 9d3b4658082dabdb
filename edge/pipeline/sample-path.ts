import type { Logger } from 'pino'
import type { Clock } from '../../shared/clock.ts'
import type { Sample } from '../../shared/wire/sample.ts'
import type { Driver } from '../drivers/driver.ts'
import { startPoller, type Poller } from '../drivers/poller.ts'
import { createBatcher } from './batcher.ts'
import type { BatchingConfig } from './config.ts'
import { startLiveness } from './liveness.ts'
import type { SamplePipeline } from './pipeline.ts'

/**
 * How samples reach the pipeline: polled reads and refresh reads at once (one commit each),
 * pushed samples through the per-device batcher, every arrival noted for liveness. Stop order:
 * refreshes, then reads and subscriptions, then what waits in a batch, then what report by
 * exception holds; nothing that was read is left unwritten.
 */
export interface SamplePathOptions {
  drivers: readonly Driver[]
  clock: Clock
  log: Logger
  pipeline: SamplePipeline
  batching: BatchingConfig
  /** The point's report-by-exception maxSilence (ms), Infinity without one. */
  maxSilenceMs: (point: string) => number
}

export interface SamplePath {
  readonly poller: Poller
  stop(): Promise<void>
}

export function startSamplePath(o: SamplePathOptions): SamplePath {
  const { clock, log, pipeline } = o
  const batcher = createBatcher({
    clock,
    batchMs: o.batching.batchMs,
    maxSamples: o.batching.maxSamples,
    flush: (device, samples) => pipeline.process(device, samples),
  })
  const liveness = startLiveness({
    drivers: o.drivers,
    clock,
    log: log.child({ component: 'liveness' }),
    maxSilenceMs: o.maxSilenceMs,
    deliver: (device, samples) => onSamples(device, samples),
  })
  const onSamples = (device: string, samples: Sample[]) => {
    liveness.seen(samples)
    // What the device pushed before goes first: its points' samples stay in time order.
    batcher.flush(device)
    pipeline.process(device, samples)
  }
  const onPushed = (device: string, samples: Sample[]) => {
    liveness.seen(samples)
    batcher.add(device, samples)
  }
  const poller = startPoller({
    drivers: o.drivers,
    clock,
    onSamples,
    onPushed,
    log: log.child({ component: 'poller' }),
  })
  let stopping: Promise<void> | null = null
  return {
    poller,
    stop() {
      stopping ??= (async () => {
        await liveness.stop()
        await poller.stop()
        batcher.flushAll()
        pipeline.flushHeld()
      })()
      return stopping
    },
  }
}
