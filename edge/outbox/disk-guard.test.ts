import { describe, expect, it } from 'vitest'
import { RESUME_MARGIN_BYTES, createDiskGuard, type DiskState } from './disk-guard.ts'
import type { DiskReserve } from './disk-reserve.ts'

/** A disk of `free` bytes and a reserve that takes its bytes from it (the real one is tested on tmpfs in disk-full.test.ts). */
function fakeDisk(free: number, bytes = 1000) {
  const disk = { free, held: false }
  const reserve: DiskReserve = {
    file: 'outbox.db.reserve',
    bytes,
    held: () => disk.held,
    release: () => {
      if (disk.held) disk.free += bytes
      disk.held = false
    },
    ensure: () => {
      if (disk.held) return true
      if (disk.free < bytes) return false
      disk.free -= bytes
      disk.held = true
      return true
    },
    freeBytes: () => disk.free,
  }
  return { disk, reserve }
}

const sample = (point: string, ts: number) => ({ point, ts, value: 1, quality: 'good' as const })

describe('disk guard', () => {
  it('holds the reserve, gives it up on a full disk, refuses until there is room for it twice over, then takes it back', () => {
    const { disk, reserve } = fakeDisk(10_000)
    const changes: DiskState[] = []
    const guard = createDiskGuard(reserve, (s) => changes.push(s))
    expect(guard.admit()).toBe(true)
    expect(guard.state()).toMatchObject({ reserveHeld: true, full: false, refused: 0 })

    disk.free = 0
    guard.hitFull()
    expect(disk.free).toBe(1000) // the reserve's room, for deletes
    expect(changes.map((c) => c.full)).toEqual([true])
    expect(guard.admit()).toBe(false)
    guard.refuse([sample('b', 20), sample('a', 10)])
    guard.refuse([sample('a', 30)])
    expect(guard.state()).toMatchObject({ reserveHeld: false, full: true, refused: 3 })
    expect(guard.pending()).toEqual({
      reason: 'disk_full',
      batches: 2,
      samples: 3,
      from: 10,
      to: 30,
      points: new Set(['a', 'b']),
    })

    disk.free = 2 * 1000 + RESUME_MARGIN_BYTES - 1
    expect(guard.admit()).toBe(false)
    disk.free += 1
    expect(guard.admit()).toBe(true)
    expect(guard.state()).toMatchObject({ reserveHeld: true, full: false, refused: 3 })
    expect(changes.map((c) => c.full)).toEqual([true, false])
    // The refusals stay pending until an append has written their record.
    expect(guard.pending()).not.toBeNull()
    guard.recorded()
    expect(guard.pending()).toBeNull()
    expect(guard.state().refused).toBe(3)
  })

  it('starts full when the reserve cannot be made', () => {
    const { reserve } = fakeDisk(10)
    const changes: boolean[] = []
    const guard = createDiskGuard(reserve, (s) => changes.push(s.full))
    expect(guard.isFull()).toBe(true)
    expect(guard.admit()).toBe(false)
    expect(changes).toEqual([true])
  })
})
