import { closeSync, existsSync, openSync, readFileSync, readSync, statSync } from 'node:fs'
import { z } from 'zod'
import { Sample } from '../../shared/wire/sample.ts'

/**
 * The edge's outbox journal (edge/test-hooks.ts, PARKLINK_TEST_OUTBOX_JOURNAL): what the edge
 * generated, batch by batch, in append order, across restarts and replaced outboxes. Parsed with
 * zod like any other boundary. A line cut by a SIGKILL mid-write (the last one) is counted, not fatal.
 */
const Appended = z.object({
  outbox: z.string(),
  seq: z.number().int(),
  samples: z.array(Sample),
  alarms: z.array(z.unknown()),
  events: z.array(z.unknown()),
})
const Refused = z.object({ refused: z.number().int(), code: z.string().nullable() })

export interface JournalBatch extends z.infer<typeof Appended> {
  /** Its byte offset in the journal: which fault it was generated under (campaign.ts marks). */
  at: number
}

export interface Journal {
  batches: JournalBatch[]
  /** Samples whose append was refused, by error code. */
  refused: Map<string, number>
  /** Lines that did not parse (a write cut by SIGKILL). */
  torn: number
}

export function readJournal(file: string): Journal {
  const journal: Journal = { batches: [], refused: new Map(), torn: 0 }
  if (!existsSync(file)) return journal
  let at = 0
  for (const text of readFileSync(file, 'utf8').split('\n')) {
    const here = at
    at += Buffer.byteLength(text) + 1
    if (text === '') continue
    let json: unknown
    try {
      json = JSON.parse(text)
    } catch {
      journal.torn++
      continue
    }
    const batch = Appended.safeParse(json)
    const refused = Refused.safeParse(json)
    if (batch.success) journal.batches.push({ ...batch.data, at: here })
    else if (refused.success)
      journal.refused.set(
        refused.data.code ?? 'unknown',
        (journal.refused.get(refused.data.code ?? 'unknown') ?? 0) + refused.data.refused,
      )
    else journal.torn++
  }
  return journal
}

/** The journal's size now: the mark a fault starts at (batches at or after it were generated during or after it). */
export function journalMark(file: string): number {
  return existsSync(file) ? statSync(file).size : 0
}

/** The journal's lines written since `mark` (cheap: only the tail is read), for waiting on the edge. */
export function journalSince(file: string, mark: number): { batches: number; refusedFor(code: string): number } {
  const size = journalMark(file)
  const buf = Buffer.alloc(Math.max(0, size - mark))
  if (buf.length > 0) {
    const fd = openSync(file, 'r')
    try {
      readSync(fd, buf, 0, buf.length, mark)
    } finally {
      closeSync(fd)
    }
  }
  const lines = buf.toString('utf8').split('\n')
  return {
    batches: lines.filter((l) => l.startsWith('{"outbox"')).length,
    refusedFor: (code) => lines.filter((l) => l.startsWith('{"refused"') && l.includes(`"code":"${code}"`)).length,
  }
}
