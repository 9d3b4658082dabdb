import { readFileSync, renameSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { ErrorCodes, ParklinkError, errorMessage } from '../shared/errors.ts'

/**
 * The running agent's status, written to {dataDir}/status.json every few seconds (atomically:
 * a temporary file renamed over the old one) so `parklink edge status` can show it on the box,
 * with no network and no port opened.
 */
export const STATUS_FILE = 'status.json'

export function writeStatusFile(dataDir: string, status: unknown): void {
  const file = path.join(dataDir, STATUS_FILE)
  const tmp = `${file}.tmp`
  writeFileSync(tmp, JSON.stringify(status))
  renameSync(tmp, file)
}

export function readStatusFile<T>(dataDir: string): T {
  const file = path.join(dataDir, STATUS_FILE)
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as T
  } catch (err) {
    throw new ParklinkError(
      ErrorCodes.CONFIG_UNREADABLE,
      `no status from the edge agent in ${file}: ${errorMessage(err)}`,
      {
        hint: 'is the agent running with this config? (systemctl status parklink-edge)',
        cause: err,
      },
    )
  }
}

/** Samples appended per hour, over a sliding window: to say how long the backlog is at the current rate. */
export function createRateMeter(windowMs = 60_000) {
  const events: Array<{ at: number; n: number }> = []
  return {
    add(at: number, n: number) {
      events.push({ at, n })
    },
    perHour(now: number): number {
      while (events.length > 0 && events[0]!.at < now - windowMs) events.shift()
      const n = events.reduce((a, e) => a + e.n, 0)
      return Math.round((n * 3_600_000) / windowMs)
    },
  }
}
