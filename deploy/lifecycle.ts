import type { Logger } from 'pino'

/** Where SIGINT and SIGTERM come from: the process, or an emitter in tests. */
export type Signals = Pick<NodeJS.EventEmitter, 'on' | 'off'>
const SIGNALS = ['SIGINT', 'SIGTERM'] as const

/**
 * Runs until SIGINT or SIGTERM, then calls stop() once and resolves. A second signal while
 * stopping exits at once (an operator pressing Ctrl-C twice means it). A failed stop sets exit
 * code 1. One implementation for `parklink edge`, `parklink cloud` and `parklink demo`.
 */
export async function untilSignal(stop: () => Promise<void>, log: Logger, signals: Signals = process): Promise<void> {
  let onSignal: (signal: NodeJS.Signals) => void = () => {}
  await new Promise<void>((resolve) => {
    let stopping = false
    onSignal = (signal) => {
      if (stopping) {
        log.warn({ signal }, 'second signal while stopping: exiting now')
        process.exit(1)
      }
      stopping = true
      log.info({ signal }, 'stopping')
      stopSafely(stop, log).then(resolve)
    }
    for (const s of SIGNALS) signals.on(s, onSignal)
  }).finally(() => {
    for (const s of SIGNALS) signals.off(s, onSignal)
  })
}

/** What a started service gives back: how to stop it, and its logger. */
export interface Running {
  stop(): Promise<void>
  log: Logger
}

/**
 * Starts a service and runs it until SIGINT or SIGTERM (untilSignal). A signal that arrives while
 * it is still starting (systemd stopping a unit that is still opening its database, say) is kept,
 * not left to Node's default (which kills the process without a clean stop): once the start is
 * complete the service stops cleanly at once. A second signal while starting exits at once.
 */
export async function runUntilSignal(start: () => Promise<Running>, signals: Signals = process): Promise<void> {
  let early: NodeJS.Signals | null = null
  const remember = (signal: NodeJS.Signals) => {
    if (early) process.exit(1)
    early = signal
  }
  for (const s of SIGNALS) signals.on(s, remember)
  let running: Running
  try {
    running = await start()
  } finally {
    for (const s of SIGNALS) signals.off(s, remember)
  }
  if (early === null) return untilSignal(running.stop, running.log, signals)
  running.log.info({ signal: early }, 'signal while starting: stopping now that the start is complete')
  await stopSafely(running.stop, running.log)
}

async function stopSafely(stop: () => Promise<void>, log: Logger): Promise<void> {
  try {
    await stop()
  } catch (err) {
    log.error({ err }, 'error while stopping')
    process.exitCode = 1
  }
}
