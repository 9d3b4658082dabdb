import type { Sample } from '../../shared/wire/sample.ts'
import type { DiskReserve } from './disk-reserve.ts'
import type { Dropped } from './gaps.ts'

/** The outbox's disk, as status.json, `parklink edge status` and the console show it. */
export interface DiskState {
  /** Free bytes on the data directory's file system (null: unknown). */
  freeBytes: number | null
  reserveBytes: number
  /** The reserve file is in place (false while the disk is full and it was given up). */
  reserveHeld: boolean
  /** Appends are refused until space is freed. */
  full: boolean
  /** Samples refused since the agent started because the disk was full (each lands in a `disk_full` gap record). */
  refused: number
}

/** Extra free space, beyond a re-created reserve, before appends resume (a WAL frame per page, a checkpoint). */
export const RESUME_MARGIN_BYTES = 1024 * 1024

/** Refused samples not yet recorded: noted as one `disk_full` gap when an append succeeds again. */
export type PendingRefusal = Omit<Dropped, 'fromSeq' | 'throughSeq'>

/** Where refusals not yet recorded survive a killed edge (refusal-file.ts implements it on a file). */
export interface RefusalFile {
  load(): PendingRefusal | null
  save(p: PendingRefusal): void
  clear(): void
}

/**
 * The outbox's state machine for a full disk (issue 14):
 * - normal: the reserve is held; appends go to SQLite.
 * - full: SQLite said SQLITE_FULL (or the reserve could not be made). The reserve is deleted so
 *   acks can delete batches and the outbox can give pages back; appends are refused without
 *   touching SQLite (they would eat the room the deletes need) and counted, until free space is
 *   at least twice the reserve plus a margin: then the reserve is re-created and appends resume.
 */
export function createDiskGuard(
  reserve: DiskReserve,
  onChange?: (state: DiskState) => void,
  /** Where refusals not yet recorded survive a kill (refusal-file.ts); absent: memory only. */
  refusals?: RefusalFile,
) {
  let full = !reserve.ensure()
  let refused = 0
  // Refused by an earlier run that died before it could record them: recorded with the next append.
  let pending: PendingRefusal | null = refusals?.load() ?? null
  const guard = {
    isFull: () => full,
    /** Before an append: may it write? Leaves the full state once there is room again. */
    admit(): boolean {
      if (!full) return true
      const free = reserve.freeBytes()
      if (free !== null && free < 2 * reserve.bytes + RESUME_MARGIN_BYTES) return false
      if (!reserve.ensure()) return false
      full = false
      onChange?.(guard.state())
      return true
    },
    /** SQLite hit a full disk: give the reserve up so deletes can run. */
    hitFull(): void {
      const was = full
      full = true
      reserve.release()
      if (!was) onChange?.(guard.state())
    },
    /** Counts samples the outbox could not write (one refused append). */
    refuse(samples: readonly Sample[]): void {
      refused += samples.length
      const p = pending ?? {
        reason: 'disk_full',
        batches: 0,
        samples: 0,
        from: Infinity,
        to: -Infinity,
        points: new Set<string>(),
      }
      p.batches++
      p.samples += samples.length
      for (const s of samples) {
        p.from = Math.min(p.from, s.ts)
        p.to = Math.max(p.to, s.ts)
        p.points.add(s.point)
      }
      pending = p
      refusals?.save(p)
    },
    /** The refusals not yet in the ledger (written in the next append's transaction). */
    pending: (): PendingRefusal | null => pending,
    /** The next append committed with the pending refusals' gap record. */
    recorded(): void {
      if (pending) refusals?.clear()
      pending = null
    },
    state(): DiskState {
      return { freeBytes: reserve.freeBytes(), reserveBytes: reserve.bytes, reserveHeld: reserve.held(), full, refused }
    },
  }
  if (full) onChange?.(guard.state())
  return guard
}
export type DiskGuard = ReturnType<typeof createDiskGuard>
