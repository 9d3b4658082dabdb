import { pino, type DestinationStream, type Level, type LevelWithSilent, type Logger } from 'pino'

export type { Logger, Level, LevelWithSilent }

/**
 * The edge agent's structured logger: JSON lines on stdout, which journald keeps on the box.
 * Anything that looks like a secret is redacted wherever it appears in a logged object, so an
 * options object carrying the broker password can be logged by mistake without leaking it.
 */
export const REDACT_PATHS = [
  'password',
  '*.password',
  '*.*.password',
  '*.*.*.password',
  'authorization',
  '*.authorization',
]

export function createLogger(
  name = 'parklink-edge',
  level: LevelWithSilent = 'info',
  destination?: DestinationStream,
): Logger {
  const options = {
    name,
    level,
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    base: { pid: process.pid },
  }
  return destination ? pino(options, destination) : pino(options)
}
