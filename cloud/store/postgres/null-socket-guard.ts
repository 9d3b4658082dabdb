import type { Logger } from 'pino'

/**
 * postgres.js 3.4.x writes a small message on `setImmediate`; when the connection closes before
 * that callback runs (the database restarted or the link dropped), it calls `write` on a socket
 * it has already set to null, and the TypeError, thrown from the immediate, takes the whole
 * process down (porsager/postgres#1154; the guard proposed upstream in #1168 and #1176 is not
 * released). The query it belonged to has already been failed as CONNECTION_CLOSED, so the
 * batch is not acked and the edge resends it: nothing is lost by skipping the write. Seen in the
 * fault campaign's "restart the database" on a loaded machine.
 */
export function isNullSocketWrite(err: unknown): boolean {
  return (
    err instanceof TypeError &&
    /\(reading 'write'\)/.test(err.message) &&
    /nextWrite \(.*[\\/]postgres[\\/](?:cjs[\\/])?src[\\/]connection\.js/.test(err.stack ?? '')
  )
}

/** Where uncaught exceptions arrive, and how the process ends: the process, or stand-ins in tests. */
export interface ProcessLike {
  on(event: 'uncaughtException', listener: (err: Error) => void): unknown
  off(event: 'uncaughtException', listener: (err: Error) => void): unknown
  exit(code: number): void
}

/**
 * For the `parklink cloud` process on PostgreSQL only (never inside a test runner): that one
 * error is logged and survived; every other uncaught exception still ends the process with
 * code 1 and its stack on stderr, as Node's default would. Returns the uninstaller.
 */
export function guardNullSocketWrites(
  log: Logger,
  proc: ProcessLike = process,
  stderr: (text: string) => void = (text) => process.stderr.write(text),
): () => void {
  const onError = (err: Error) => {
    if (isNullSocketWrite(err)) {
      log.warn(
        { err: err.message },
        'postgres.js wrote to a connection already closed (porsager/postgres#1154): skipped; its query failed as CONNECTION_CLOSED and is retried',
      )
      return
    }
    stderr(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`)
    proc.exit(1)
  }
  proc.on('uncaughtException', onError)
  return () => proc.off('uncaughtException', onError)
}
