import { mkdtempSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { DiskReserve } from './disk-reserve.ts'
import { createDiskGuard } from './disk-guard.ts'
import { createRefusalFile } from './refusal-file.ts'

/** A reserve on a disk that is full until `room` is set. */
function fakeReserve(): DiskReserve & { room: boolean } {
  const r = {
    file: '/nonexistent.reserve',
    bytes: 1024,
    room: false,
    held: () => r.room,
    ensure: () => r.room,
    release: () => {},
    freeBytes: () => (r.room ? 1e9 : 0),
  }
  return r as unknown as DiskReserve & { room: boolean }
}

const samples = (n: number, t0: number) =>
  Array.from({ length: n }, (_, i) => ({ point: `tank.${i % 3}`, ts: t0 + i, value: i, quality: 'good' as const }))

describe('refusals on a full disk survive a killed edge (issue 14: a disk_full gap reaches the cloud)', () => {
  let dir: string
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'parklink-refusals-'))
  })
  afterEach(() => rmSync(dir, { recursive: true, force: true }))

  it('a guard started after a kill takes over the refusals the dead one had not recorded', () => {
    const file = path.join(dir, 'outbox.db')
    const first = createDiskGuard(fakeReserve(), undefined, createRefusalFile(file))
    first.refuse(samples(100, 1_000))
    first.refuse(samples(50, 2_000))
    // Killed here: nothing recorded. The next start:
    const second = createDiskGuard(fakeReserve(), undefined, createRefusalFile(file))
    expect(second.pending()).toMatchObject({ reason: 'disk_full', batches: 2, samples: 150, from: 1_000, to: 2_049 })
    expect([...(second.pending()?.points ?? [])].sort()).toEqual(['tank.0', 'tank.1', 'tank.2'])
    expect(statSync(`${file}.refused`).mode & 0o077).toBe(0)
    // Recorded with the next append: the file goes, a third start has nothing pending.
    second.recorded()
    expect(createDiskGuard(fakeReserve(), undefined, createRefusalFile(file)).pending()).toBeNull()
  })

  it('ignores a file it cannot read as refusals', () => {
    const file = path.join(dir, 'outbox.db')
    const refusals = createRefusalFile(file)
    refusals.save({ reason: 'disk_full', batches: 1, samples: 0, from: 0, to: 0, points: new Set() })
    expect(refusals.load()).toBeNull()
  })
})
