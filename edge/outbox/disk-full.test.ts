import { execFileSync } from 'node:child_process'
import { closeSync, mkdtempSync, openSync, rmSync, unlinkSync, writeSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import Database from 'better-sqlite3'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { ErrorCodes, ParklinkError } from '../../shared/errors.ts'
import type { Outbox } from './outbox.ts'
import { openSqliteOutbox } from './sqlite-outbox.ts'

// A real full disk: an 8 MiB tmpfs (needs root, or CAP_SYS_ADMIN). Checked once.
const mountable = (() => {
  const dir = mkdtempSync(path.join(tmpdir(), 'parklink-mountcheck-'))
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', dir], { stdio: 'ignore' })
    execFileSync('umount', [dir], { stdio: 'ignore' })
    return true
  } catch {
    return false
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})()

const RESERVE = 1024 * 1024
let seed = 42
// Incompressible values (payloads are deflated): a batch really takes space.
const noise = () => ((seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31) * 1000
const batch = (i: number) =>
  Array.from({ length: 100 }, (_, k) => ({
    point: `tank.${k % 7}`,
    ts: 1_700_000_000_000 + i * 1000 + k,
    value: noise(),
    quality: 'good' as const,
  }))

/** Fills the file system until ENOSPC. */
function fill(file: string): void {
  const fd = openSync(file, 'w')
  const chunk = Buffer.alloc(64 * 1024, 1)
  try {
    for (;;) writeSync(fd, chunk)
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOSPC') throw err
  } finally {
    closeSync(fd)
  }
}

const refusedCode = (fn: () => unknown): string | null => {
  try {
    fn()
    return null
  } catch (err) {
    if (!(err instanceof ParklinkError)) throw err
    return err.code
  }
}

describe.skipIf(!mountable)('outbox on a full disk (tmpfs; skipped when this user may not mount)', () => {
  let dir: string
  let outbox: Outbox | null = null
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'parklink-diskfull-'))
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=8m', 'tmpfs', dir])
  })
  afterEach(() => {
    outbox?.close()
    outbox = null
    execFileSync('umount', [dir])
    rmSync(dir, { recursive: true, force: true })
  })

  it('refuses and counts appends, records a disk_full gap, still deletes acked batches, and resumes once space is freed', () => {
    const file = path.join(dir, 'outbox.db')
    const changes: boolean[] = []
    outbox = openSqliteOutbox({ file, reserveBytes: RESERVE, onDisk: (d) => changes.push(d.full) })
    expect(outbox.disk!()).toMatchObject({ reserveHeld: true, full: false, refused: 0 })
    for (let i = 0; i < 5; i++) outbox.append(batch(i))
    const filler = path.join(dir, 'filler')
    fill(filler)

    // Appends go on until SQLite finds no room, then are refused (each one counted).
    let i = 5
    let written = 5
    let refusedSamples = 0
    for (; i < 5000 && refusedSamples === 0; i++) {
      const code = refusedCode(() => outbox!.append(batch(i)))
      if (code === null) written++
      else {
        expect(code).toBe(ErrorCodes.OUTBOX_DISK_FULL)
        refusedSamples += 100
      }
    }
    expect(refusedSamples).toBeGreaterThan(0)
    for (let k = 0; k < 3; k++, i++) {
      expect(refusedCode(() => outbox!.append(batch(i)))).toBe(ErrorCodes.OUTBOX_DISK_FULL)
      refusedSamples += 100
    }
    expect(outbox.disk!()).toMatchObject({ full: true, reserveHeld: false, refused: refusedSamples })
    expect(changes).toEqual([true])

    // Delivery still frees space: the cloud acks everything written, the outbox deletes it.
    const { lastSeq } = outbox.stats()
    expect(outbox.stats().batches).toBe(written)
    outbox.ackThrough(lastSeq)
    expect(outbox.stats()).toMatchObject({ batches: 0, ackedThrough: lastSeq })

    // Space freed by the operator: the next append works and carries the gap record.
    unlinkSync(filler)
    const seq = outbox.append(batch(i))
    expect(seq).toBe(lastSeq + 2) // lastSeq + 1 is the seq the refused samples stand for
    expect(outbox.peek(lastSeq, 10)).toMatchObject([
      {
        seq,
        gaps: [
          {
            reason: 'disk_full',
            fromSeq: lastSeq + 1,
            throughSeq: lastSeq + 1,
            samples: refusedSamples,
            points: ['tank.0', 'tank.1', 'tank.2', 'tank.3', 'tank.4', 'tank.5', 'tank.6'],
          },
        ],
      },
    ])
    expect(outbox.disk!()).toMatchObject({ full: false, reserveHeld: true, refused: refusedSamples })
    expect(changes).toEqual([true, false])
    expect(outbox.gapsOverlapping(lastSeq + 1, lastSeq + 1)).toMatchObject([{ reason: 'disk_full' }])
    outbox.ackThrough(seq)
    expect(outbox.append(batch(i + 1))).toBe(seq + 1)

    const reader = new Database(file, { readonly: true })
    try {
      expect(reader.pragma('integrity_check', { simple: true })).toBe('ok')
    } finally {
      reader.close()
    }
  })

  it('opens again on a full disk, lets delivery free it, and keeps the refusals across the restart', () => {
    const file = path.join(dir, 'outbox.db')
    outbox = openSqliteOutbox({ file, reserveBytes: RESERVE })
    for (let i = 0; i < 5; i++) outbox.append(batch(i))
    outbox.close()
    fill(path.join(dir, 'filler'))
    outbox = openSqliteOutbox({ file, reserveBytes: RESERVE })
    // The reserve is there from the last run: the disk counts as usable, the first append that finds no room gives it up.
    let i = 5
    while (refusedCode(() => outbox!.append(batch(i))) === null && i < 5000) i++
    expect(outbox.disk!()).toMatchObject({ full: true, reserveHeld: false })
    const { lastSeq } = outbox.stats()
    outbox.ackThrough(lastSeq)
    expect(outbox.stats().batches).toBe(0)
    outbox.close()
    unlinkSync(path.join(dir, 'filler'))
    outbox = openSqliteOutbox({ file, reserveBytes: RESERVE })
    const seq = outbox.append(batch(i + 1))
    expect(outbox.peek(lastSeq, 10)).toMatchObject([
      { seq, gaps: [{ reason: 'disk_full', fromSeq: lastSeq + 1, throughSeq: lastSeq + 1, samples: 100, batches: 1 }] },
    ])
    const reader = new Database(file, { readonly: true })
    try {
      expect(reader.pragma('integrity_check', { simple: true })).toBe('ok')
    } finally {
      reader.close()
    }
  })
})
