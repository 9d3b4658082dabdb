/**
 * The send window (pure: no I/O, time is passed in). It decides which outbox batches go out
 * next, given the cloud's acks, what is in flight and the limits.
 *
 * Two lanes. Every batch written after the current connection came up (seq > `liveFrom`) is
 * LIVE; what was waiting before is the BACKLOG. Live batches always go first; the backlog
 * drains oldest first behind them, in seq order, with at most `replayInflight` batches in
 * flight (by default half the window, at most 8), so a new live batch is published at once
 * even while the cloud is busy storing a week of backlog; those slots stay the backlog's while
 * it lasts (live never takes them), so the drain keeps going when live alone fills the window.
 * That is the pacing: the drain runs as fast as the cloud acks, and live data never queues
 * behind it.
 *
 * Acks: the cloud's mark `through` is contiguous (every seq ≤ it is stored); live batches
 * stored above the mark come back as `stored` ranges (selective acks), which free their window
 * slots. The outbox deletes only through the contiguous mark.
 *
 * - no ack progress for the ack timeout while something is in flight → rewind: resend what is
 *   unacked (the cloud may have crashed before storing, or the broker lost the messages); each
 *   further timeout without progress doubles the wait, up to `maxBackoff` × the timeout, so a
 *   cloud that stays down is not buried under duplicates queued for it at the broker;
 * - a new connection → `connected(lastSeq)`: rewind, and what is in the outbox now is backlog.
 *
 * The uplink asks, per lane, `capacity(lane)` and `after(lane)`, peeks the outbox after that
 * (keeping only seqs ≤ liveFrom for the backlog) and calls `sent(seq)` for each batch; `sent`
 * returns false for a batch the cloud already holds (selectively acked), which is not published.
 */
export interface WindowLimits {
  maxInflight: number
  ackTimeoutMs: number
  /** Cap on the ack-timeout doubling (multiple of ackTimeoutMs); default 8. */
  maxBackoff?: number
  /**
   * Backlog batches in flight at most (default half of maxInflight, at most 8; never more than
   * maxInflight). Every backlog batch in flight is one the cloud may have to store before the
   * next live one, so this bounds live latency during a drain; the drain itself needs only a
   * round trip's worth.
   */
  replayInflight?: number
}

export type Lane = 'live' | 'backlog'

/** Inclusive seq ranges the cloud holds above its contiguous mark. */
export type StoredRanges = ReadonlyArray<readonly [number, number]>

export class SendWindow {
  /** The cloud's mark: every seq ≤ this is stored. */
  ackedThrough: number
  /** Seqs above this were written during the current connection: live. */
  liveFrom: number
  readonly #limits: Required<WindowLimits>
  readonly #sentThrough: Record<Lane, number>
  /** Published seqs not yet acked, with their lane. */
  readonly #inflight = new Map<number, Lane>()
  /** Seq ranges above ackedThrough the cloud reported stored (the latest ack's view). */
  #stored: StoredRanges = []
  /** When the current wait for an ack began (null: nothing in flight). */
  #waitingSince: number | null = null
  #timeouts = 0

  constructor(ackedThrough: number, limits: WindowLimits) {
    if (!(limits.maxInflight >= 1) || !(limits.ackTimeoutMs > 0))
      throw new RangeError('maxInflight ≥ 1 and ackTimeoutMs > 0 required')
    const replay = limits.replayInflight ?? Math.max(1, Math.min(8, Math.floor(limits.maxInflight / 2)))
    if (!(replay >= 1)) throw new RangeError('replayInflight ≥ 1 required')
    this.#limits = { maxBackoff: 8, ...limits, replayInflight: Math.min(replay, limits.maxInflight) }
    this.ackedThrough = ackedThrough
    this.liveFrom = ackedThrough
    this.#sentThrough = { live: ackedThrough, backlog: ackedThrough }
  }

  get inflight(): number {
    return this.#inflight.size
  }

  /** Ack timeouts in a row without any progress since. */
  get timeouts(): number {
    return this.#timeouts
  }

  /** Batches written before this connection and not yet acked (an upper bound: seqs may be evicted). */
  get backlog(): number {
    return Math.max(0, this.liveFrom - this.ackedThrough)
  }

  /** The highest seq published in this lane since the last rewind: peek after it. */
  after(lane: Lane): number {
    return this.#sentThrough[lane]
  }

  /** How many more batches of this lane may be published now. */
  capacity(lane: Lane = 'live'): number {
    const { maxInflight, replayInflight } = this.#limits
    const free = Math.max(0, maxInflight - this.#inflight.size)
    let backlogInflight = 0
    for (const l of this.#inflight.values()) if (l === 'backlog') backlogInflight++
    if (lane === 'live') {
      // While a backlog is left, its replayInflight slots (never the last one) are kept for it:
      // live data that keeps the window full (an edge or a link slower than its own load) would
      // otherwise stop the drain, and the cloud then asks for the whole backlog as a hole.
      // (Never more than `free`: the backlog's share counted is at least what it has in flight.)
      const reserved = Math.min(replayInflight, this.backlog, maxInflight - 1)
      const liveInflight = this.#inflight.size - backlogInflight
      return Math.max(0, maxInflight - Math.max(reserved, backlogInflight) - liveInflight)
    }
    if (this.#sentThrough.backlog >= this.liveFrom) return 0
    return Math.min(free, Math.max(0, replayInflight - backlogInflight))
  }

  /**
   * True for a seq this connection has not published yet in its lane (nor the cloud acked): the
   * window sends it in its turn, paced. A resend command (commands.ts) leaves such seqs to the
   * window instead of publishing them at once: during a drain the cloud sees the unsent backlog
   * as a hole, and 1 000 backlog batches published outside the window would queue at the broker
   * ahead of every live batch (the live lane stalled for minutes on a slow store).
   */
  unsent(seq: number): boolean {
    const lane: Lane = seq > this.liveFrom ? 'live' : 'backlog'
    return seq > this.#sentThrough[lane] && seq > this.ackedThrough
  }

  /** Records a batch as published; false: the cloud holds it already, do not publish it. */
  sent(seq: number, now: number): boolean {
    const lane: Lane = seq > this.liveFrom ? 'live' : 'backlog'
    if (seq <= this.#sentThrough[lane])
      throw new RangeError(`seq ${seq} sent out of order (${lane} already sent through ${this.#sentThrough[lane]})`)
    this.#sentThrough[lane] = seq
    if (seq <= this.ackedThrough || this.#isStored(seq)) return false
    if (this.#inflight.size === 0) this.#waitingSince = now
    this.#inflight.set(seq, lane)
    return true
  }

  /**
   * A cloud ack: the contiguous mark and the ranges stored above it. Returns true when the
   * contiguous mark advanced (the outbox may delete through it).
   */
  acked(through: number, now: number, stored: StoredRanges = []): boolean {
    const advanced = through > this.ackedThrough
    let progress = false
    if (advanced) {
      this.ackedThrough = through
      for (const lane of ['live', 'backlog'] as const)
        this.#sentThrough[lane] = Math.max(
          this.#sentThrough[lane],
          lane === 'live' ? Math.max(through, this.liveFrom) : Math.min(through, this.liveFrom),
        )
    }
    // The cloud's whole view above its mark (stored stays stored) replaces the previous one,
    // unless this ack is older than the mark (a stale retained ack).
    if (through >= this.ackedThrough) this.#stored = stored.filter(([, to]) => to > this.ackedThrough)
    for (const seq of [...this.#inflight.keys()]) {
      if (seq <= this.ackedThrough || this.#isStored(seq)) {
        this.#inflight.delete(seq)
        progress = true
      }
    }
    if (advanced || progress) {
      this.#waitingSince = this.#inflight.size > 0 ? now : null
      this.#timeouts = 0
    }
    return advanced
  }

  #isStored(seq: number): boolean {
    return this.#stored.some(([from, to]) => from <= seq && seq <= to)
  }

  /** A new connection: forget what is in flight; every seq up to `lastSeq` is backlog now. */
  connected(lastSeq: number): void {
    this.liveFrom = Math.max(lastSeq, this.ackedThrough)
    this.rewind()
  }

  /** Forget what is in flight: unacked batches are sent again, live first. */
  rewind(): void {
    this.#inflight.clear()
    this.#sentThrough.backlog = Math.min(this.ackedThrough, this.liveFrom)
    this.#sentThrough.live = Math.max(this.ackedThrough, this.liveFrom)
    this.#waitingSince = null
  }

  /** When the ack wait runs out (null: nothing in flight). */
  deadline(): number | null {
    if (this.#waitingSince === null) return null
    const factor = Math.min(2 ** this.#timeouts, this.#limits.maxBackoff)
    return this.#waitingSince + this.#limits.ackTimeoutMs * factor
  }

  /** If the ack wait has run out: rewinds, lengthens the next wait, and returns true. */
  checkTimeout(now: number): boolean {
    const deadline = this.deadline()
    if (deadline === null || now < deadline) return false
    this.#timeouts++
    this.rewind()
    return true
  }
}

/**
 * What to publish now: live batches first, then backlog, as far as the window allows. `peek`
 * is the outbox's (up to `limit` batches with seq > after, oldest first). Calls `sent` for
 * each; batches the cloud already holds are skipped, not returned.
 */
export function nextBatches<B extends { seq: number }>(
  w: SendWindow,
  peek: (after: number, limit: number) => B[],
  now: number,
): B[] {
  const out: B[] = []
  for (const lane of ['live', 'backlog'] as const) {
    for (;;) {
      const limit = w.capacity(lane)
      if (limit === 0) break
      const list = peek(w.after(lane), limit).filter((b) => lane === 'live' || b.seq <= w.liveFrom)
      if (list.length === 0) break
      for (const b of list) if (w.sent(b.seq, now)) out.push(b)
    }
  }
  return out
}
