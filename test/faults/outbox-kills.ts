import { spawn } from 'node:child_process'
import path from 'node:path'
import Database from 'better-sqlite3'
import { openSqliteOutbox } from '../../edge/outbox/sqlite-outbox.ts'

export interface KillResult {
  kills: number
  /** Every reopen worked: no error, not moved aside, integrity_check ok. */
  cleanOpens: number
  /** Appends the writer saw return that were not in the file afterwards (must be 0). */
  lostDurable: number
  problems: string[]
}

/**
 * SIGKILL the edge's outbox writer `kills` times during heavy writes; after each kill the
 * outbox must open cleanly, pass SQLite's integrity check and hold every batch whose append
 * had returned (synchronous=FULL) unless the writer itself acked it away.
 */
export async function outboxKillLoop(dir: string, kills: number, random: () => number): Promise<KillResult> {
  const file = path.join(dir, 'kill-outbox.db')
  const writer = new URL('./writer.ts', import.meta.url).pathname
  const result: KillResult = { kills: 0, cleanOpens: 0, lostDurable: 0, problems: [] }
  for (let n = 0; n < kills; n++) {
    const child = spawn(process.execPath, ['--import', 'tsx', writer, file], { stdio: ['ignore', 'pipe', 'pipe'] })
    let lastReturned = 0
    let buffered = ''
    let stderr = ''
    child.stderr.on('data', (b: Buffer) => (stderr += b.toString()))
    const firstWrite = new Promise<void>((resolve) => {
      child.stdout.on('data', (b: Buffer) => {
        buffered += b.toString()
        const lines = buffered.split('\n')
        buffered = lines.pop() ?? ''
        for (const l of lines) if (l.startsWith('seq ')) lastReturned = Number(l.slice(4))
        if (lastReturned > 0) resolve()
      })
    })
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
    await Promise.race([firstWrite, exited])
    await new Promise((r) => setTimeout(r, 20 + random() * 300))
    child.kill('SIGKILL')
    await exited
    result.kills++
    if (lastReturned === 0) {
      result.problems.push(`kill ${n}: the writer never wrote: ${stderr.slice(-500)}`)
      continue
    }
    let moved = false
    try {
      const outbox = openSqliteOutbox({ file, maxBytes: 4 * 1024 * 1024, onCorrupt: () => (moved = true) })
      const { lastSeq } = outbox.stats()
      outbox.close()
      const db = new Database(file, { readonly: true })
      const integrity = db.pragma('integrity_check', { simple: true })
      db.close()
      if (lastSeq < lastReturned) {
        result.lostDurable += lastReturned - lastSeq
        result.problems.push(`kill ${n}: append of seq ${lastReturned} had returned, the file ends at ${lastSeq}`)
      }
      if (moved || integrity !== 'ok')
        result.problems.push(`kill ${n}: ${moved ? 'moved aside as corrupt' : `integrity_check: ${String(integrity)}`}`)
      else result.cleanOpens++
    } catch (err) {
      result.problems.push(`kill ${n}: reopen failed: ${(err as Error).message}`)
    }
  }
  return result
}
