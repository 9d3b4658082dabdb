import path from 'node:path'
import { Cron } from 'croner'
import type { Logger } from 'pino'
import type { Clock, TimerHandle } from '../../shared/clock.ts'
import type { CloudConfig } from '../config.ts'
import type { Store } from '../store/store.ts'
import { createExchangeJob, type ExchangeRun } from './job.ts'
import { storeSource } from './source.ts'
import { openSqliteExchange } from './sqlite-writer.ts'
import type { ExchangeWriter, HeldRow, LogEntry } from './writer.ts'

/**
 * The provincial exchange as the service, the API and the CLI use it: the job over the cloud
 * store and the front-end database, its status, and its schedule (croner, `exchange.schedule`
 * in exchange.timeZone). Runs never overlap: a run asked for while one is going waits for it.
 */
export interface ExchangeStatus {
  enabled: boolean
  engine: string
  file: string
  parkCode: string
  schedule: string
  nextRun: number | null
  /** The newest run's data sets (inserted / updated / deleted / unchanged / held back / error). */
  lastRun: { runId: string; startedAt: number; finishedAt: number; datasets: LogEntry[] } | null
  /** Every row held back now, with what to fix. */
  heldBack: HeldRow[]
}

export interface Exchange {
  run(): Promise<ExchangeRun>
  status(): Promise<ExchangeStatus>
  close(): Promise<void>
}

/** {dataDir}/{exchange.file} (an absolute file stays as it is). */
export const exchangeFile = (config: CloudConfig): string => path.resolve(config.dataDir, config.exchange.file)

export function openExchange(o: {
  config: CloudConfig
  store: Store
  clock: Clock
  writer?: ExchangeWriter
}): Exchange & {
  setNextRun(at: number | null): void
} {
  // Opened at first use: a service that never runs or shows the exchange leaves no file behind.
  let opened: { writer: ExchangeWriter; job: ReturnType<typeof createExchangeJob> } | null = null
  const open = () => {
    if (!opened) {
      const writer = o.writer ?? openSqliteExchange(exchangeFile(o.config))
      opened = {
        writer,
        job: createExchangeJob({ config: o.config.exchange, source: storeSource(o.store), writer, clock: o.clock }),
      }
    }
    return opened
  }
  let queue: Promise<unknown> = Promise.resolve()
  let nextRun: number | null = null
  return {
    run() {
      const next = queue.then(() => open().job.run())
      queue = next.catch(() => undefined)
      return next
    },
    async status() {
      const { writer } = open()
      const log = await writer.recentLog(50)
      const last = log[0]
      const datasets = last ? log.filter((e) => e.runId === last.runId).reverse() : []
      return {
        enabled: o.config.exchange.enabled,
        engine: o.config.exchange.engine,
        file: exchangeFile(o.config),
        parkCode: o.config.exchange.parkCode,
        schedule: o.config.exchange.schedule,
        nextRun,
        lastRun: last
          ? {
              runId: last.runId,
              startedAt: Math.min(...datasets.map((d) => d.startedAt)),
              finishedAt: Math.max(...datasets.map((d) => d.finishedAt)),
              datasets,
            }
          : null,
        heldBack: await writer.held(),
      }
    },
    async close() {
      await queue
      await opened?.writer.close()
      opened = null
    },
    setNextRun(at) {
      nextRun = at
    },
  }
}

const MAX_WAIT_MS = 3_600_000

/** With exchange.enabled: runs the job at its cron times (the injected clock's timers wait, re-armed at most hourly). */
export function startExchangeSchedule(o: {
  exchange: ReturnType<typeof openExchange>
  config: CloudConfig
  clock: Clock
  log: Logger
}): { stop(): Promise<void> } {
  const { clock, log, exchange } = o
  if (!o.config.exchange.enabled) return { stop: async () => {} }
  const cron = new Cron(o.config.exchange.schedule, { timezone: o.config.exchange.timeZone, paused: true })
  let timer: TimerHandle | null = null
  let stopped = false
  let running: Promise<unknown> = Promise.resolve()
  const arm = (due: number): void => {
    if (stopped) return
    exchange.setNextRun(due)
    timer = clock.setTimeout(
      () => {
        if (clock.now() < due) return arm(due)
        running = exchange.run().then(
          (r) => {
            const failed = r.datasets.filter((d) => d.error !== null)
            const held = r.datasets.reduce((n, d) => n + d.heldBack, 0)
            if (failed.length > 0) log.error({ run: r.runId, failed }, 'exchange run: data sets failed')
            else log.info({ run: r.runId, held }, 'exchange run done')
          },
          (err) => log.error({ err }, 'exchange run failed'),
        )
        const following = cron.nextRun(new Date(Math.max(clock.now(), due)))
        if (following) arm(following.getTime())
      },
      Math.min(MAX_WAIT_MS, Math.max(0, due - clock.now())),
    )
  }
  const first = cron.nextRun(new Date(clock.now()))
  if (first) arm(first.getTime())
  log.info({ schedule: o.config.exchange.schedule, file: exchangeFile(o.config) }, 'exchange schedule started')
  return {
    async stop() {
      stopped = true
      if (timer) clock.clearTimeout(timer)
      await running
    },
  }
}
