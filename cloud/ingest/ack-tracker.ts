/**
 * The cloud's contiguous-ack mark per edge and outbox (pure, no I/O).
 *
 * `through` is the highest seq such that every seq ≤ it is durably stored, or lies below the
 * edge's `floor` (the edge no longer holds those: they were acked before or evicted and
 * reported as a gap). The edge deletes from its outbox only through this mark, so it must never
 * pass a seq that is neither stored nor below a floor the edge announced.
 *
 * Out-of-order arrival is normal (a resend overtakes, QoS 1 redelivery): seqs above the mark
 * are remembered until the hole below them is filled. The mark never moves backwards.
 */
export interface EdgeAckState {
  edge: string
  /** The outbox the mark counts seqs of (seqs are numbered per outbox: shared/wire/messages.ts). */
  outbox: string
  /** The persisted mark (edge_outboxes.acked_through). */
  ackedThrough: number
  /** Stored batches with seq above the mark, with the floor each carried. */
  above: ReadonlyArray<{ seq: number; floor: number }>
  /** The edge's current outbox (as the store knows it); the others are older ones. */
  current?: boolean
}

/** Batches stored before outbox ids existed (schema default); also the tests' single outbox. */
export const LEGACY_OUTBOX = ''

interface Entry {
  through: number
  pending: Set<number>
  /** `pending` sorted, rebuilt only after it changed (acks ask for it on every batch). */
  sorted: number[] | null
}

interface EdgeEntry {
  /** The outbox of the edge's newest batch: where holes are watched, and what `outbox` defaults to. */
  latest: string
  outboxes: Map<string, Entry>
}

/**
 * Marks per (edge, outbox): a replaced outbox numbers from its own start, and its seqs are never
 * judged against the old outbox's mark. Where `outbox` is left out, the edge's latest is meant.
 */
export class AckTracker {
  readonly #edges = new Map<string, EdgeEntry>()

  /** Rebuilds the marks from what the store holds (startup). */
  constructor(initial: Iterable<EdgeAckState> = []) {
    this.adopt(initial)
  }

  /** Takes marks from the store (startup, or one edge a replica takes over: cloud/cluster/takeover.ts). */
  adopt(states: Iterable<EdgeAckState>): void {
    for (const state of states) {
      const entry = this.#entry(state.edge, state.outbox)
      entry.through = Math.max(entry.through, state.ackedThrough)
      for (const b of state.above) this.record(state.edge, b.seq, b.floor, state.outbox)
      if (state.current) this.#edges.get(state.edge)!.latest = state.outbox
    }
  }

  /**
   * A batch (edge, outbox, seq) is durably stored (or was already) and carried `floor`. Returns
   * the mark of that outbox afterwards.
   */
  record(edge: string, seq: number, floor: number, outbox = LEGACY_OUTBOX): number {
    if (!Number.isSafeInteger(seq) || seq < 1 || !Number.isSafeInteger(floor) || floor < 1 || floor > seq) {
      throw new RangeError(`invalid seq/floor ${seq}/${floor} for edge ${edge}`)
    }
    const entry = this.#entry(edge, outbox)
    this.#edges.get(edge)!.latest = outbox
    if (floor - 1 > entry.through) {
      entry.through = floor - 1
      for (const s of entry.pending) if (s <= entry.through && entry.pending.delete(s)) entry.sorted = null
    }
    if (seq > entry.through + 1 && !entry.pending.has(seq)) {
      entry.pending.add(seq)
      entry.sorted = null
    } else if (seq === entry.through + 1) entry.through++
    while (entry.pending.delete(entry.through + 1)) {
      entry.through++
      entry.sorted = null
    }
    return entry.through
  }

  /**
   * The mark the outbox would have with `floor` applied and, when given, `seq` stored too,
   * without recording anything: before its own seq counts (is a batch in order?) and after (the
   * mark persisted with the batch).
   */
  reach(edge: string, floor: number, seq?: number, outbox = LEGACY_OUTBOX): number {
    const entry = this.#edges.get(edge)?.outboxes.get(outbox)
    let through = Math.max(entry?.through ?? 0, floor - 1)
    while (through + 1 === seq || entry?.pending.has(through + 1)) through++
    return through
  }

  /** The outbox's mark (0 when nothing is known); by default the edge's latest outbox. */
  through(edge: string, outbox?: string): number {
    return this.#find(edge, outbox)?.through ?? 0
  }

  /** The outbox of the edge's newest batch (LEGACY_OUTBOX when none is known). */
  latest(edge: string): string {
    return this.#edges.get(edge)?.latest ?? LEGACY_OUTBOX
  }

  /** Forgets an edge (another replica handles it now: its marks are rebuilt from the store if it comes back). */
  forget(edge: string): void {
    this.#edges.delete(edge)
  }

  /** Every edge the tracker knows. */
  edges(): string[] {
    return [...this.#edges.keys()]
  }

  /** Seqs stored above the mark, waiting for a hole to fill (for the hole watch and diagnostics). */
  pending(edge: string, outbox?: string): readonly number[] {
    const entry = this.#find(edge, outbox)
    if (!entry) return []
    entry.sorted ??= [...entry.pending].sort((a, b) => a - b)
    return entry.sorted
  }

  /**
   * The seqs stored above the mark as inclusive ranges, the `max` highest (the selective part
   * of an ack: live batches that overtook a draining backlog).
   */
  storedRanges(edge: string, max = 64, outbox?: string): Array<[number, number]> {
    const ranges: Array<[number, number]> = []
    for (const seq of this.pending(edge, outbox)) {
      const last = ranges[ranges.length - 1]
      if (last && last[1] === seq - 1) last[1] = seq
      else ranges.push([seq, seq])
    }
    return ranges.slice(-max)
  }

  #find(edge: string, outbox?: string): Entry | undefined {
    const e = this.#edges.get(edge)
    return e?.outboxes.get(outbox ?? e.latest)
  }

  #entry(edge: string, outbox: string): Entry {
    let e = this.#edges.get(edge)
    if (!e) {
      e = { latest: outbox, outboxes: new Map() }
      this.#edges.set(edge, e)
    }
    let entry = e.outboxes.get(outbox)
    if (!entry) {
      entry = { through: 0, pending: new Set(), sorted: null }
      e.outboxes.set(outbox, entry)
    }
    return entry
  }
}
