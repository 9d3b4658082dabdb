/**
 * Sequence-hole detection (pure: time is passed in). The ack tracker knows, per edge, the
 * contiguous mark and the seqs stored above it; a hole is [mark + 1, lowest stored above − 1].
 * Holes are normal for a moment (QoS 1 redelivery, a resend overtaking); one that persists for
 * `afterMs` with the mark not moving means the batches were lost on the way (e.g. with a broker
 * restart): ask the edge to resend the range, again every `retryMs` while it stays open.
 */
export interface HoleWatchOptions {
  afterMs: number
  retryMs: number
  /** Most seqs asked for in one request (default 1 000; the edge caps it too). */
  maxRange?: number
}

export interface ResendRequest {
  edge: string
  fromSeq: number
  toSeq: number
}

export class HoleWatch {
  readonly #options: Required<HoleWatchOptions>
  readonly #open = new Map<string, { through: number; since: number; askedAt: number | null }>()

  constructor(options: HoleWatchOptions) {
    this.#options = { maxRange: 1_000, ...options }
  }

  /** The edges' marks and what is stored above them, now: the resend requests due. */
  check(now: number, edges: Iterable<{ edge: string; through: number; pending: readonly number[] }>): ResendRequest[] {
    const due: ResendRequest[] = []
    const seen = new Set<string>()
    for (const { edge, through, pending } of edges) {
      if (pending.length === 0) continue
      seen.add(edge)
      const hole = this.#open.get(edge)
      if (!hole || hole.through !== through) {
        this.#open.set(edge, { through, since: now, askedAt: null })
        continue
      }
      if (now - hole.since < this.#options.afterMs) continue
      if (hole.askedAt !== null && now - hole.askedAt < this.#options.retryMs) continue
      hole.askedAt = now
      const fromSeq = through + 1
      // `pending` is ascending: its first is the lowest stored above the hole.
      due.push({ edge, fromSeq, toSeq: Math.min(pending[0]! - 1, fromSeq + this.#options.maxRange - 1) })
    }
    for (const edge of this.#open.keys()) if (!seen.has(edge)) this.#open.delete(edge)
    return due
  }
}
