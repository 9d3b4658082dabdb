import * as fs from 'node:fs'
import path from 'node:path'
import { z } from 'zod'
import { ensurePrivateFile } from '../../../shared/private-files.ts'

/**
 * Every configuration change made from the console, as an append-only JSON-lines file in the
 * data directory (0600: brief §7, the operation log of 等保 level 3): one line when a change is
 * requested (who, from where, when, what) and one when its apply ended (applied with the new
 * config hash, or rolled back with the reason). Lines are never rewritten; a line that does not
 * parse (a torn last write) is skipped when read.
 */
export const CHANGE_LOG_FILE = 'console-changes.jsonl'

const Requested = z.object({
  id: z.string(),
  at: z.number(),
  event: z.literal('requested'),
  who: z.string(),
  remote: z.string().nullable(),
  action: z.enum(['device', 'import']),
  summary: z.string(),
})
const Outcome = z.object({
  id: z.string(),
  at: z.number(),
  event: z.enum(['applied', 'rolled-back']),
  configHash: z.string().optional(),
  error: z.string().optional(),
})
const Line = z.union([Requested, Outcome])
export type ChangeLine = z.infer<typeof Line>

/** A change as the page shows it: the request, and its outcome once the apply ended. */
export interface Change {
  id: string
  at: number
  who: string
  remote: string | null
  action: 'device' | 'import'
  summary: string
  outcome: 'pending' | 'applied' | 'rolled-back'
  endedAt: number | null
  configHash: string | null
  error: string | null
}

export interface ChangeLog {
  append(line: ChangeLine): void
  /** Newest first, at most `limit`. */
  list(limit?: number): Change[]
}

export function openChangeLog(dataDir: string): ChangeLog {
  const file = path.join(dataDir, CHANGE_LOG_FILE)
  return {
    append(line) {
      fs.mkdirSync(dataDir, { recursive: true })
      ensurePrivateFile(fs, file)
      fs.appendFileSync(file, `${JSON.stringify(Line.parse(line))}\n`)
    },
    list(limit = 200) {
      if (!fs.existsSync(file)) return []
      return mergeChanges(fs.readFileSync(file, 'utf8')).slice(0, limit)
    },
  }
}

export function mergeChanges(text: string): Change[] {
  const byId = new Map<string, Change>()
  for (const raw of text.split('\n')) {
    if (raw.trim() === '') continue
    let parsed: ReturnType<typeof Line.safeParse>
    try {
      parsed = Line.safeParse(JSON.parse(raw))
    } catch {
      continue
    }
    if (!parsed.success) continue
    const l = parsed.data
    if (l.event === 'requested')
      byId.set(l.id, {
        ...l,
        outcome: 'pending',
        endedAt: null,
        configHash: null,
        error: null,
      })
    else {
      const c = byId.get(l.id)
      if (c)
        Object.assign(c, { outcome: l.event, endedAt: l.at, configHash: l.configHash ?? null, error: l.error ?? null })
    }
  }
  return [...byId.values()].sort((a, b) => b.at - a.at)
}
