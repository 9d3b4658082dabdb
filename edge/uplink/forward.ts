/**
 * The send window (pure: no I/O, time is passed in). It decides which outbox batches go out
 * next, given the cloud's ack mark, what is in flight and the limits:
 *
 * - at most `maxInflight` batches published and not yet covered by a cloud ack;
 * - a cloud ack `through` frees every in-flight seq ≤ through (acks are cumulative);
 * - no ack progress for the ack timeout while something is in flight → rewind: resend from the
 *   last ack (the cloud may have crashed before storing, or the broker lost the messages);
 *   each further timeout without progress doubles the wait, up to `maxBackoff` × the timeout,
 *   so a cloud that stays down is not buried under duplicates queued for it at the broker;
 * - a new connection → rewind (what the broker held for the old one may be gone).
 *
 * The uplink asks `capacity()` and `sentThrough`, peeks the outbox after `sentThrough` and calls
 * `sent(seq)` for each batch published.
 */
export interface WindowLimits {
  maxInflight: number
  ackTimeoutMs: number
  /** Cap on the ack-timeout doubling (multiple of ackTimeoutMs); default 8. */
  maxBackoff?: number
}

export class SendWindow {
  /** The cloud's mark: every seq ≤ this is stored. */
  ackedThrough: number
  /** The highest seq published since the last rewind (peek after this). */
  sentThrough: number
  readonly #limits: Required<WindowLimits>
  /** Published seqs above ackedThrough, ascending. */
  #inflight: number[] = []
  /** When the current wait for an ack began (null: nothing in flight). */
  #waitingSince: number | null = null
  #timeouts = 0

  constructor(ackedThrough: number, limits: WindowLimits) {
    if (!(limits.maxInflight >= 1) || !(limits.ackTimeoutMs > 0)) throw new RangeError('maxInflight ≥ 1 and ackTimeoutMs > 0 required')
    this.#limits = { maxBackoff: 8, ...limits }
    this.ackedThrough = ackedThrough
    this.sentThrough = ackedThrough
  }

  get inflight(): number {
    return this.#inflight.length
  }

  /** How many more batches may be published now. */
  capacity(): number {
    return Math.max(0, this.#limits.maxInflight - this.#inflight.length)
  }

  sent(seq: number, now: number): void {
    if (seq <= this.sentThrough) throw new RangeError(`seq ${seq} sent out of order (already sent through ${this.sentThrough})`)
    if (this.#inflight.length === 0) this.#waitingSince = now
    this.#inflight.push(seq)
    this.sentThrough = seq
  }

  /** A cloud ack. Returns false (and changes nothing) when it does not advance the mark. */
  acked(through: number, now: number): boolean {
    if (!(through > this.ackedThrough)) return false
    this.ackedThrough = through
    this.sentThrough = Math.max(this.sentThrough, through)
    let i = 0
    while (i < this.#inflight.length && this.#inflight[i]! <= through) i++
    this.#inflight.splice(0, i)
    this.#waitingSince = this.#inflight.length > 0 ? now : null
    this.#timeouts = 0
    return true
  }

  /** Forget what is in flight: the next batches sent are the ones after the cloud's mark. */
  rewind(): void {
    this.#inflight = []
    this.sentThrough = this.ackedThrough
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
