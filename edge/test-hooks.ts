import { appendFileSync, readFileSync, statSync } from 'node:fs'
import { systemClock, type Clock } from '../shared/clock.ts'
import { ErrorCodes, ParklinkError } from '../shared/errors.ts'
import type { Outbox } from './outbox/outbox.ts'

/**
 * Hooks for the fault campaign (test/faults), honoured ONLY when NODE_ENV=test. Both are
 * opt-in through variables of their own; set without NODE_ENV=test, the edge refuses to start
 * (PL_CONFIG_INVALID), so a production unit cannot run with a shifted clock or a journal by
 * mistake. Neither changes what the edge does with its data:
 *
 * - PARKLINK_TEST_CLOCK_OFFSET_FILE: a file holding a number of milliseconds; the edge's clock
 *   reads Date.now() plus that offset (a stepped RTC, an NTP correction). The file is re-read
 *   when its mtime changes (checked at most every 100 ms), so the test steps a running edge by
 *   rewriting it. Timers are unchanged (a stepped wall clock does not change intervals).
 * - PARKLINK_TEST_OUTBOX_JOURNAL: a file the outbox's appends are journalled to, one JSON line
 *   per batch once its append returned (outbox id, seq, samples, alarms, events), and one per
 *   refused append (sample count, error code): what the edge generated, for the campaign to
 *   compare with what the cloud stored.
 */
export const CLOCK_OFFSET_ENV = 'PARKLINK_TEST_CLOCK_OFFSET_FILE'
export const OUTBOX_JOURNAL_ENV = 'PARKLINK_TEST_OUTBOX_JOURNAL'

export interface EdgeTestHooks {
  clock?: Clock
  tapOutbox?: (outbox: Outbox) => Outbox
}

export function edgeTestHooks(env: NodeJS.ProcessEnv = process.env): EdgeTestHooks {
  const offsetFile = env[CLOCK_OFFSET_ENV]
  const journal = env[OUTBOX_JOURNAL_ENV]
  if (offsetFile === undefined && journal === undefined) return {}
  if (env.NODE_ENV !== 'test') {
    throw new ParklinkError(
      ErrorCodes.CONFIG_INVALID,
      `${offsetFile !== undefined ? CLOCK_OFFSET_ENV : OUTBOX_JOURNAL_ENV} is a test hook and is refused unless NODE_ENV=test`,
      {
        hint: `unset ${CLOCK_OFFSET_ENV} and ${OUTBOX_JOURNAL_ENV} in the service environment`,
      },
    )
  }
  return {
    ...(offsetFile ? { clock: offsetClock(offsetFile) } : {}),
    ...(journal ? { tapOutbox: (outbox: Outbox) => journalled(outbox, journal) } : {}),
  }
}

/** Date.now() plus the offset in `file` (0 while the file is missing or not a number). */
export function offsetClock(file: string, base: Clock = systemClock): Clock {
  let offset = 0
  let mtime = -1
  let checkedAt = -Infinity
  const refresh = () => {
    const now = base.now()
    if (now - checkedAt < 100 && now >= checkedAt) return
    checkedAt = now
    try {
      const m = statSync(file).mtimeMs
      if (m === mtime) return
      const n = Number(readFileSync(file, 'utf8').trim())
      mtime = m
      offset = Number.isFinite(n) ? n : 0
    } catch {
      offset = 0
      mtime = -1
    }
  }
  return {
    now: () => {
      refresh()
      return base.now() + offset
    },
    setTimeout: (fn, ms) => base.setTimeout(fn, ms),
    clearTimeout: (h) => base.clearTimeout(h),
  }
}

/** The outbox with its appends journalled to `file` (see above). */
function journalled(outbox: Outbox, file: string): Outbox {
  const write = (line: object) => appendFileSync(file, `${JSON.stringify(line)}\n`)
  const refused = (samples: number, err: unknown): never => {
    write({ refused: samples, code: (err as { code?: unknown }).code ?? null })
    throw err
  }
  // The outbox is a plain object of closures (sqlite-outbox.ts): a copy with two methods replaced.
  return {
    ...outbox,
    append(samples, alarms, events) {
      let seq: number
      try {
        seq = outbox.append(samples, alarms, events)
      } catch (err) {
        return refused(samples.length, err)
      }
      write({ outbox: outbox.id, seq, samples, alarms: alarms ?? [], events: events ?? [] })
      return seq
    },
    appendMany(parts) {
      let seqs: number[]
      try {
        seqs = outbox.appendMany(parts)
      } catch (err) {
        return refused(
          parts.reduce((n, p) => n + p.samples.length, 0),
          err,
        )
      }
      parts.forEach((part, i) => {
        write({ outbox: outbox.id, seq: seqs[i], samples: part.samples, alarms: part.alarms ?? [], events: [] })
      })
      return seqs
    },
  }
}
