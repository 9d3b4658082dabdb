import { mkdirSync } from 'node:fs'
import path from 'node:path'
import type { Logger } from 'pino'
import { openLocalAlarms, type LocalAlarms } from '../../edge/alarms/local.ts'
import type { EdgeConfig } from '../../edge/config.ts'
import { openBaselineStore, type BaselineStore } from '../../edge/derived/baselines.ts'
import { createSettlementProcessor } from '../../edge/derived/processor.ts'
import { createLatestValues } from '../../edge/latest-values.ts'
import type { Outbox, OutboxBatch } from '../../edge/outbox/outbox.ts'
import { openSqliteOutbox } from '../../edge/outbox/sqlite-outbox.ts'
import { createSamplePipeline, type SamplePipeline } from '../../edge/pipeline/pipeline.ts'
import { createReporter } from '../../edge/report/reporter.ts'
import { edgeTimeWindow } from '../../edge/samples.ts'
import type { Clock } from '../../shared/clock.ts'
import { WIRE_VERSION, type DataBatch } from '../../shared/wire/messages.ts'

/**
 * An edge agent's sample path without its sockets, for tests on a fake clock: the agent's own
 * parts (edge/agent.ts) composed the same way — sanitize → derive (settlement) → latest →
 * report by exception → local alarms → outbox — from a parsed edge config. Drivers are replaced
 * by whoever calls `pipeline.process(device, samples)`; the uplink by `drain()`, which hands
 * over what the outbox holds as ONE data message (the batches' samples, alarms and events in
 * order, numbered with the last seq, `floor` = that seq): the cloud stores and evaluates every
 * sample as it would from separate messages, in far fewer transactions.
 */
export interface SimEdge {
  readonly config: EdgeConfig
  readonly pipeline: SamplePipeline
  readonly outbox: Outbox
  readonly session: string
  /** Everything waiting as one data message (null: nothing waits); `ack` deletes through its seq (the cloud's ack). */
  drain(): DataBatch | null
  ack(seq: number): void
  close(): void
}

export function openSimEdge(config: EdgeConfig, clock: Clock, log: Logger): SimEdge {
  mkdirSync(config.dataDir, { recursive: true })
  const outbox = openSqliteOutbox({
    file: path.join(config.dataDir, 'outbox.db'),
    maxBytes: config.outbox.maxBytes,
    clock,
    firstSeq: Math.max(1, Math.floor(clock.now())),
  })
  const baselines: BaselineStore | null = config.settlement
    ? openBaselineStore(path.join(config.dataDir, 'baselines.db'))
    : null
  const derived =
    config.settlement && baselines ? createSettlementProcessor(config.settlement, baselines, clock, log) : null
  const local: LocalAlarms | null = config.alarms
    ? openLocalAlarms(config.alarms, path.join(config.dataDir, 'alarms.db'), clock, log)
    : null
  const reporter = config.report ? createReporter(config.report, () => null, log) : null
  const pipeline = createSamplePipeline({
    clock,
    log,
    outbox,
    latest: createLatestValues(),
    derived,
    reporter,
    local,
    timeWindow: edgeTimeWindow(config.outbox.maxAgeH),
    limits: { batchSize: config.uplink.batchSize, maxMessageBytes: config.uplink.maxMessageBytes },
  })
  const session = `sim-${config.edge}`
  /** The waiting batches as one message: what they carry, in seq order, under the last seq. */
  const merged = (batches: readonly OutboxBatch[]): DataBatch | null => {
    const last = batches.at(-1)
    if (!last) return null
    const all = <T>(pick: (b: OutboxBatch) => readonly T[] | undefined): T[] => batches.flatMap((b) => pick(b) ?? [])
    const [alarms, events, gaps] = [all((b) => b.alarms), all((b) => b.events), all((b) => b.gaps)]
    return {
      v: WIRE_VERSION,
      edge: config.edge,
      session,
      outbox: outbox.id,
      seq: last.seq,
      floor: last.seq,
      samples: all((b) => b.samples),
      ...(alarms.length > 0 ? { alarms } : {}),
      ...(events.length > 0 ? { events } : {}),
      ...(gaps.length > 0 ? { gaps } : {}),
    }
  }
  return {
    config,
    pipeline,
    outbox,
    session,
    drain: () => merged(outbox.peek(0, 10_000)),
    ack: (seq) => outbox.ackThrough(seq),
    close() {
      local?.close()
      baselines?.close()
      outbox.close()
    },
  }
}
