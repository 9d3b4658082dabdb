import { spawn } from 'node:child_process'
import path from 'node:path'
import Database from 'better-sqlite3'
import { openSqliteOutbox } from '../../edge/outbox/sqlite-outbox.ts'
import type { Outbox } from '../../edge/outbox/outbox.ts'
import { createAtRestCipher } from '../../edge/at-rest/cipher.ts'
import { checkAtRestStores } from '../../edge/at-rest/check.ts'
import { readKeyFile } from '../../edge/at-rest/key-file.ts'

export interface KillResult {
  kills: number
  /** Every reopen worked: no error, not moved aside, integrity_check ok. */
  cleanOpens: number
  /** Appends the writer saw return that were not in the file afterwards (must be 0). */
  lostDurable: number
  /** Batches held twice (the same samples under two seqs; must be 0). */
  duplicated: number
  problems: string[]
}

/**
 * SIGKILL the edge's outbox writer `kills` times during heavy writes; after each kill the
 * outbox must open cleanly, pass SQLite's integrity check and hold every batch whose append
 * had returned (synchronous=FULL) unless the writer itself acked it away.
 */
export async function outboxKillLoop(
  dir: string,
  kills: number,
  random: () => number,
  /** An at-rest key file: the writer seals every payload with SM4, and each reopen checks the key first, as the agent does. */
  keyFile?: string,
): Promise<KillResult> {
  const file = path.join(dir, keyFile ? 'kill-outbox-sealed.db' : 'kill-outbox.db')
  const writer = new URL('./writer.ts', import.meta.url).pathname
  const cipher = keyFile ? createAtRestCipher(readKeyFile(keyFile), keyFile) : undefined
  const result: KillResult = { kills: 0, cleanOpens: 0, lostDurable: 0, duplicated: 0, problems: [] }
  for (let n = 0; n < kills; n++) {
    const args = ['--import', 'tsx', writer, file, ...(keyFile ? [keyFile] : [])]
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] })
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
      if (cipher) checkAtRestStores(dir, cipher)
      const outbox = openSqliteOutbox({
        file,
        maxBytes: 4 * 1024 * 1024,
        onCorrupt: () => (moved = true),
        ...(cipher ? { cipher } : {}),
      })
      const { lastSeq } = outbox.stats()
      const twice = duplicates(outbox)
      outbox.close()
      if (twice > 0) {
        result.duplicated += twice
        result.problems.push(`kill ${n}: ${twice} batches held twice`)
      }
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

/** Reads (and so decodes, and with a key opens) every batch held; counts batches whose samples another seq also holds. */
function duplicates(outbox: Outbox): number {
  const seen = new Set<string>()
  let twice = 0
  for (let after = 0; ; ) {
    const page = outbox.peek(after, 200)
    if (page.length === 0) return twice
    for (const b of page) {
      const key = JSON.stringify(b.samples[0]) + JSON.stringify(b.samples.at(-1))
      if (seen.has(key)) twice++
      seen.add(key)
    }
    after = page.at(-1)!.seq
  }
}
