import type { Logger } from 'pino'

/**
 * Runs until SIGINT or SIGTERM, then calls stop() once and resolves. A second signal while
 * stopping exits at once (an operator pressing Ctrl-C twice means it). A failed stop sets exit
 * code 1. One implementation for `parklink edge`, `parklink cloud` and `parklink demo`.
 */
export async function untilSignal(stop: () => Promise<void>, log: Logger): Promise<void> {
  await new Promise<void>((resolve) => {
    let stopping = false
    const onSignal = (signal: NodeJS.Signals) => {
      if (stopping) {
        log.warn({ signal }, 'second signal while stopping: exiting now')
        process.exit(1)
      }
      stopping = true
      log.info({ signal }, 'stopping')
      stop().then(
        () => resolve(),
        (err: unknown) => {
          log.error({ err }, 'error while stopping')
          process.exitCode = 1
          resolve()
        },
      )
    }
    process.on('SIGINT', onSignal)
    process.on('SIGTERM', onSignal)
  }).finally(() => {
    process.removeAllListeners('SIGINT')
    process.removeAllListeners('SIGTERM')
  })
}
