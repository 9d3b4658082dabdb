import { pino, type DestinationStream, type Logger, type LevelWithSilent } from 'pino'

export type { Logger }

/**
 * The cloud's structured logger (JSON lines on stdout for journald). Anything that looks like a
 * secret is redacted wherever it appears in a logged object, so a config or an error carrying
 * connection options can be logged without leaking the broker password.
 */
export const REDACT_PATHS = [
  'password',
  '*.password',
  '*.*.password',
  'mqtt.password',
  'config.mqtt.password',
  'authorization',
  '*.authorization',
  'headers.authorization',
  'headers.cookie',
]

export interface LoggerOptions {
  level?: LevelWithSilent
  name?: string
  /** Where lines go (default stdout); tests pass a stream to read what was logged. */
  destination?: DestinationStream
}

export function createLogger(options: LoggerOptions = {}): Logger {
  const config = {
    name: options.name ?? 'parklink-cloud',
    level: options.level ?? 'info',
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    base: { pid: process.pid },
  }
  return options.destination ? pino(config, options.destination) : pino(config)
}
