import { closeSync, fsyncSync, openSync, statfsSync, statSync, unlinkSync, writeSync } from 'node:fs'
import path from 'node:path'

/**
 * Space the outbox keeps back so delivery can always free space (issue 14, "a full disk is
 * survived"): a file of `bytes` zeros next to the outbox (`{outbox}.reserve`).
 *
 * Why a file and not `maxBytes` from free space: the outbox shares its disk with logs, status
 * and whatever else fills it; a cap computed at one moment does not keep others from taking the
 * space later. A file the outbox owns is space nobody else can take. SQLite needs free space to
 * DELETE (the WAL receives the changed pages first), so on a full disk acked batches could not
 * be deleted and the disk stayed full for good, also across restarts. Deleting the reserve
 * gives SQLite that room.
 *
 * The file is written with zeros, not truncated to size: a sparse file would hold no blocks.
 */
export interface DiskReserve {
  readonly file: string
  readonly bytes: number
  /** Whether the reserve file is in place at its full size. */
  held(): boolean
  /** Deletes the reserve (to let the outbox delete and record on a full disk). */
  release(): void
  /** Creates the reserve when it is missing; false (and no partial file) when the disk has no room. */
  ensure(): boolean
  /** Free bytes for the service user on the outbox's file system, or null when unknown. */
  freeBytes(): number | null
}

const CHUNK = 64 * 1024

export function createDiskReserve(outboxFile: string, bytes: number): DiskReserve {
  const file = `${outboxFile}.reserve`
  const dir = path.dirname(outboxFile)
  const sizeOf = () => {
    try {
      return statSync(file).size
    } catch {
      return -1
    }
  }
  const remove = () => {
    try {
      unlinkSync(file)
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err
    }
  }
  return {
    file,
    bytes,
    held: () => bytes === 0 || sizeOf() >= bytes,
    release: remove,
    ensure() {
      if (bytes === 0 || sizeOf() >= bytes) return true
      const zeros = Buffer.alloc(CHUNK)
      let fd: number | null = null
      try {
        fd = openSync(file, 'w')
        for (let written = 0; written < bytes; ) written += writeSync(fd, zeros, 0, Math.min(CHUNK, bytes - written))
        fsyncSync(fd)
        closeSync(fd)
        return true
      } catch (err) {
        if (fd !== null) closeSync(fd)
        remove()
        if ((err as NodeJS.ErrnoException).code === 'ENOSPC' || (err as NodeJS.ErrnoException).code === 'EDQUOT')
          return false
        throw err
      }
    },
    freeBytes() {
      try {
        const s = statfsSync(dir)
        return s.bavail * s.bsize
      } catch {
        return null
      }
    },
  }
}

// SQLITE_IOERR_SHMSIZE: opening a WAL database could not size its -shm file (a restart on a full disk).
const FULL = new Set(['SQLITE_FULL', 'SQLITE_IOERR_SHMSIZE', 'ENOSPC', 'EDQUOT'])

/** Whether an error (or one of its causes) says the disk is full (SQLite's SQLITE_FULL, or ENOSPC). */
export function isDiskFull(err: unknown): boolean {
  for (let e = err, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    if (FULL.has(String((e as { code?: unknown }).code))) return true
  }
  return false
}
