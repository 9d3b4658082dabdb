import type { Logger } from 'pino'
import type { Clock } from '../../shared/clock.ts'
import { ErrorCodes, errorMessage } from '../../shared/errors.ts'
import type { EdgeAlarm } from '../../shared/wire/messages.ts'
import type { Sample } from '../../shared/wire/sample.ts'
import type { LocalAlarms } from '../alarms/local.ts'
import type { SettlementProcessor } from '../derived/processor.ts'
import type { LatestValues } from '../latest-values.ts'
import type { Outbox } from '../outbox/outbox.ts'
import type { Reporter } from '../report/reporter.ts'
import { sanitizeSamples } from '../samples.ts'
import type { SkewCounts, TimeWindow } from '../../shared/rules/time-check.ts'
import { appendInParts, type AppendLimits } from './append.ts'

/**
 * A check every sample passes in the sanitize step, after the wire contract and before anything
 * else sees it: it returns the sample as it should travel on (e.g. marked uncertain with a
 * reason). `receivedAt` is the edge's clock when the samples reached the pipeline.
 */
export type SampleCheck = (sample: Sample, receivedAt: number) => Sample

export interface SamplePipelineDeps {
  clock: Clock
  log: Logger
  outbox: Outbox
  /** One outbox batch = one published message: at most `uplink.batchSize` samples and `uplink.maxMessageBytes`. */
  limits: AppendLimits
  /** Samples too large for any message (never written): counted by the agent's status. */
  onTooLarge?: (samples: readonly Sample[]) => void
  latest: LatestValues
  derived?: SettlementProcessor | null
  reporter?: Reporter | null
  local?: LocalAlarms | null
  /** Source times outside this window of the edge's clock travel as uncertain, clock_skew (shared/rules/time-check.ts). */
  timeWindow?: TimeWindow
  /** How many of a device's samples were outside the window (logged when it starts and ends). */
  onSkewed?: (device: string, skewed: SkewCounts) => void
  /** Per-sample checks of the sanitize step, in order (the one place such checks run). */
  checks?: readonly SampleCheck[]
  /** After samples were written to the outbox (rate meter, uplink kick). */
  onWritten?: (samples: number) => void
}

export interface SamplePipeline {
  /** One device's samples, in order: sanitize → derive → latest → report by exception → local alarms → outbox (one commit). */
  process(device: string, raw: readonly unknown[]): void
  /** The samples report by exception still holds (each point's newest) → the outbox (on stop). */
  flushHeld(): void
}

/**
 * The edge's sample path, the same for polled reads, flushed batches of notifications and
 * refresh reads. A failure of one step after sanitizing (derived points, local alarms) never
 * costs the readings themselves; an outbox refusal is logged with what was lost.
 */
export function createSamplePipeline(deps: SamplePipelineDeps): SamplePipeline {
  const { clock, log } = deps
  const lastProblem = new Map<string, string>()

  /** Step 1: the wire contract, then every configured per-sample check. */
  const sanitize = (device: string, raw: readonly unknown[]): Sample[] => {
    const now = clock.now()
    const { samples, problems, skewed } = sanitizeSamples(raw, now, deps.timeWindow)
    deps.onSkewed?.(device, skewed)
    if (problems.length > 0 && problems[0] !== lastProblem.get(device)) {
      log.warn(
        { device, refused: problems.length, first: problems[0] },
        'driver produced samples outside the wire contract: sent as bad quality',
      )
    }
    if (problems.length > 0) lastProblem.set(device, problems[0]!)
    const checks = deps.checks ?? []
    return checks.length === 0 ? samples : samples.map((s) => checks.reduce((x, check) => check(x, now), s))
  }

  const derive = (device: string, samples: Sample[]): Sample[] => {
    if (!deps.derived) return samples
    try {
      return [...samples, ...deps.derived.process(samples)]
    } catch (err) {
      log.error({ device, err: errorMessage(err) }, 'settlement could not be computed for these readings')
      return samples
    }
  }

  const alarmsFor = (device: string, samples: Sample[]): EdgeAlarm[] => {
    if (!deps.local) return []
    try {
      return deps.local.process(samples)
    } catch (err) {
      log.error({ device, err: errorMessage(err) }, 'local alarms could not be evaluated for these readings')
      return []
    }
  }

  const reportFor = (device: string, lostMessage: string) => ({
    onLost: (lost: number, err: string, hint: string | undefined) =>
      log.error({ device, err, hint, lost }, lostMessage),
    onTooLarge: (samples: readonly Sample[]) => {
      log.error(
        {
          device,
          code: ErrorCodes.MESSAGE_TOO_LARGE,
          points: [...new Set(samples.map((x) => x.point))].slice(0, 10),
          lost: samples.length,
          maxMessageBytes: deps.limits.maxMessageBytes,
        },
        'samples not sent: each is larger than the broker takes',
      )
      deps.onTooLarge?.(samples)
    },
  })

  return {
    process(device, raw) {
      let samples = derive(device, sanitize(device, raw))
      deps.latest.update(device, samples)
      // Report by exception before local alarms and the outbox: the edge judges the samples the cloud will see.
      if (deps.reporter) samples = deps.reporter.filter(samples)
      const alarms = alarmsFor(device, samples)
      const written = appendInParts(
        deps.outbox,
        samples,
        alarms,
        deps.limits,
        reportFor(device, 'samples lost: the outbox refused them'),
      )
      deps.onWritten?.(written)
    },
    flushHeld() {
      const held = deps.reporter?.flush() ?? []
      appendInParts(
        deps.outbox,
        held,
        [],
        deps.limits,
        reportFor('held at stop', 'held samples lost at stop: the outbox refused them'),
      )
    },
  }
}
