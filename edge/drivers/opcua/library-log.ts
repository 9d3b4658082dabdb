import { format } from 'node:util'
import { setDebugLogger, setErrorLogger, setWarningLogger } from 'node-opcua'
import type { Logger } from 'pino'

/**
 * node-opcua prints its own warnings and errors with console.log, coloured, several lines each
 * (the CVE-2023-46809 notice on every start, "Creating default certificate … please wait", a
 * server certificate in base64): noise on a technician's terminal, and stray non-JSON lines in
 * the agent's JSON log. They go to the parklink log at debug instead, one record each; what
 * matters to a person is reported by the driver itself, with a code and a hint (failure.ts).
 *
 * node-opcua's loggers are process-wide: the first connection's logger gets them all.
 */
let routed = false

export function routeOpcuaLibraryLog(log: Logger): void {
  if (routed) return
  routed = true
  const to =
    (level: 'warning' | 'error' | 'debug') =>
    (context: unknown, ...args: unknown[]) => {
      // node-opcua passes its caller's file and line first (node-opcua-debug make_loggers).
      const c = (context ?? {}) as { filename?: string; callerline?: number }
      log.debug(
        { lib: 'node-opcua', libLevel: level, at: `${c.filename ?? '?'}:${c.callerline ?? '?'}` },
        format(...args),
      )
    }
  setWarningLogger(to('warning'))
  setErrorLogger(to('error'))
  setDebugLogger(to('debug'))
}
