import { randomUUID } from 'node:crypto'
import type { Clock } from '../../shared/clock.ts'
import { errorMessage } from '../../shared/errors.ts'
import type { ExchangeConfig } from './config.ts'
import { mapContext, type MapContext, type Mapped } from './context.ts'
import { isLimitAlarm, isVideoAlarm, mapLimitAlarm, mapVideoAlarm } from './map-alarms.ts'
import { mapGasDevice, mapIndicator, mapRealtime } from './map-registry.ts'
import type { ExchangeSource } from './source.ts'
import { syncDataset, type SyncResult } from './sync.ts'
import {
  ALARM_TABLE,
  GAS_DEVICE_TABLE,
  INDICATOR_TABLE,
  REALTIME_TABLE,
  TABLES,
  VIDEO_ALARM_TABLE,
  type TableDef,
} from './tables.ts'
import type { ExchangeWriter, LogEntry } from './writer.ts'

/**
 * One run of the provincial exchange (issue 18): every data set brought up to date, in order
 * (#153 devices, #152 indicators, #154 readings of indicators not held back, then the alarms
 * changed since each alarm data set's watermark, plus those held back before), each logged
 * with its counts. A data set that fails is logged with its error; the others still run.
 */
export interface ExchangeRun {
  runId: string
  startedAt: number
  finishedAt: number
  datasets: LogEntry[]
}

const ALARM_PAGE = 2_000

export function createExchangeJob(o: {
  config: ExchangeConfig
  source: ExchangeSource
  writer: ExchangeWriter
  clock: Clock
}) {
  const { config, source, writer, clock } = o
  let prepared = false

  async function step(
    runId: string,
    table: TableDef,
    work: (ctx: { now: number; at: string }) => Promise<SyncResult>,
    ctx: MapContext,
  ): Promise<LogEntry & { result: SyncResult | null }> {
    const startedAt = clock.now()
    let result: SyncResult | null = null
    let error: string | null = null
    try {
      result = await work({ now: startedAt, at: ctx.time(startedAt)! })
    } catch (err) {
      error = errorMessage(err)
    }
    const entry: LogEntry = {
      runId,
      dataset: table.dataset,
      table: table.name,
      startedAt,
      finishedAt: clock.now(),
      inserted: result?.inserted ?? 0,
      updated: result?.updated ?? 0,
      deleted: result?.deleted ?? 0,
      unchanged: result?.unchanged ?? 0,
      heldBack: result?.heldBack ?? 0,
      error,
    }
    await writer.log(entry)
    return { ...entry, result }
  }

  const sync =
    (table: TableDef, mapped: Mapped[], full: boolean, ctx: MapContext, watermark?: number) =>
    (t: { now: number; at: string }) =>
      syncDataset({
        writer,
        table,
        mapped,
        lists: ctx.lists,
        full,
        now: t.now,
        at: t.at,
        actor: config.actor,
        ...(watermark === undefined ? {} : { watermark }),
      })

  /** Alarms changed after the data set's watermark, and those it held back before (retried). */
  async function changedAlarms(table: TableDef, keep: (a: import('../alarms/model.ts').AlarmRecord) => boolean) {
    let through = (await writer.watermark(table.dataset)) ?? 0
    const byId = new Map<number, import('../alarms/model.ts').AlarmRecord>()
    for (;;) {
      const page = await source.alarmsChangedAfter(through, ALARM_PAGE)
      for (const a of page.alarms) byId.set(a.id, a)
      through = page.through
      if (!page.more) break
    }
    const retry = (await writer.held(table.dataset)).map((h) => Number(h.key)).filter((id) => !byId.has(id))
    for (const a of await source.alarms(retry)) byId.set(a.id, a)
    return { alarms: [...byId.values()].filter(keep), through }
  }

  async function run(): Promise<ExchangeRun> {
    const runId = randomUUID()
    const startedAt = clock.now()
    if (!prepared) {
      await writer.prepare(TABLES)
      prepared = true
    }
    const [devices, indicators] = await Promise.all([source.devices(), source.indicators()])
    const ctx = mapContext(config, devices, indicators)
    const out: Array<LogEntry & { result?: SyncResult | null }> = []
    const gasDevices = devices.filter((d) => d.category === '04').map((d) => mapGasDevice(d, ctx))
    out.push(await step(runId, GAS_DEVICE_TABLE, sync(GAS_DEVICE_TABLE, gasDevices, true, ctx), ctx))

    const ind = await step(
      runId,
      INDICATOR_TABLE,
      sync(
        INDICATOR_TABLE,
        indicators.map((s) => mapIndicator(s, ctx)),
        true,
        ctx,
      ),
      ctx,
    )
    out.push(ind)
    // A reading of an indicator that is held back (or failed) would name a row the province does not have.
    const heldIndicators = ind.result?.held ?? new Set(indicators.map((s) => s.point.id))
    const readings = indicators
      .filter((s) => !heldIndicators.has(s.point.id))
      .map((s) => mapRealtime(s, ctx))
      .filter((m): m is Mapped => m !== null)
    out.push(await step(runId, REALTIME_TABLE, sync(REALTIME_TABLE, readings, false, ctx), ctx))

    for (const [table, keep] of [
      [ALARM_TABLE, isLimitAlarm],
      [VIDEO_ALARM_TABLE, isVideoAlarm],
    ] as const) {
      out.push(
        await step(
          runId,
          table,
          async (t) => {
            const { alarms, through } = await changedAlarms(
              table,
              (a) => keep(a) && (table !== ALARM_TABLE || ctx.points.has(a.point)),
            )
            const mapped =
              table === ALARM_TABLE
                ? alarms.map((a) => mapLimitAlarm(a, ctx))
                : await Promise.all(alarms.map(async (a) => mapVideoAlarm(a, await source.firstSnapshot(a.id), ctx)))
            return sync(table, mapped, false, ctx, through)(t)
          },
          ctx,
        ),
      )
    }
    return { runId, startedAt, finishedAt: clock.now(), datasets: out.map(({ result: _r, ...e }) => e) }
  }

  return { run }
}
export type ExchangeJob = ReturnType<typeof createExchangeJob>
