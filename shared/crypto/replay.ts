/**
 * Replay detection for sealed messages (issue 20): every sender numbers its messages with a
 * counter that only grows, also across restarts; a receiver accepts each (sender, counter) once.
 *
 * The counter starts from the sender's clock (milliseconds × 1000), so a sender whose saved state
 * is lost (data directory wiped) still continues above what its receivers have seen, as long as
 * its clock is not far behind; afterwards it is last + 1 whatever the clock does (a clock stepped
 * back never makes it repeat). Across restarts it continues above a RESERVED value saved before
 * it is reached (one write per `RESERVE_SPAN`, not one per message).
 */
export const TICKS_PER_MS = 1000
/** How far ahead the saved reservation goes: about 10 minutes of clock-driven counting. */
export const RESERVE_SPAN = 600_000 * TICKS_PER_MS

export class SendCounter {
  private last: number

  /** `reserved`: the reservation saved by the previous run (0: none). */
  constructor(private reserved: number) {
    this.last = reserved
  }

  /** The next counter; `reserve` is set when the caller must save it (durably) before sending. */
  next(nowMs: number): { value: number; reserve: number | null } {
    this.last = Math.max(this.last + 1, Math.floor(nowMs) * TICKS_PER_MS)
    if (this.last < this.reserved) return { value: this.last, reserve: null }
    this.reserved = this.last + RESERVE_SPAN
    return { value: this.last, reserve: this.reserved }
  }
}

export type ReplayVerdict = 'fresh' | 'replayed' | 'stale_retained'

/**
 * What a receiver has seen, per sender: the highest counter and the last `window` counters
 * accepted (the broker may deliver a sender's messages slightly out of order across topics; a
 * counter below the window is refused). A RETAINED message already seen is the broker handing
 * back the last message of a topic at subscription time, not an attack: `stale_retained`, ignored
 * without alarm. Pure: the caller saves `marks()` where it keeps its state.
 */
export class ReplayGuard {
  /** Per sender: every counter ≤ floor is old; `recent` the accepted counters above it, ascending. */
  private readonly seen = new Map<string, { floor: number; high: number; recent: number[] }>()
  private readonly wills = new Map<string, number[]>()

  constructor(
    saved: Readonly<Record<string, number>> = {},
    private readonly window = 256,
  ) {
    for (const [from, high] of Object.entries(saved)) this.seen.set(from, { floor: high, high, recent: [] })
  }

  check(from: string, counter: number, retained: boolean): ReplayVerdict {
    const s = this.seen.get(from)
    if (s === undefined || (counter > s.floor && !s.recent.includes(counter))) return 'fresh'
    return retained ? 'stale_retained' : 'replayed'
  }

  /** Records an accepted counter (after its signature was verified). */
  accept(from: string, counter: number): void {
    const s = this.seen.get(from) ?? { floor: Number.NEGATIVE_INFINITY, high: 0, recent: [] }
    s.high = Math.max(s.high, counter)
    const at = s.recent.findIndex((c) => c > counter)
    s.recent.splice(at < 0 ? s.recent.length : at, 0, counter)
    if (s.recent.length > this.window) s.floor = s.recent.shift() ?? s.floor
    this.seen.set(from, s)
  }

  /**
   * A last will is sealed when its connection opens and published by the broker when the
   * connection dies, after everything the sender sent meanwhile: it is judged against the wills
   * accepted before (each will's counter is its own), not against the window.
   */
  checkWill(from: string, counter: number, retained: boolean): ReplayVerdict {
    if (!(this.wills.get(from) ?? []).includes(counter)) return 'fresh'
    return retained ? 'stale_retained' : 'replayed'
  }

  acceptWill(from: string, counter: number): void {
    const list = this.wills.get(from) ?? []
    list.push(counter)
    if (list.length > 64) list.shift()
    this.wills.set(from, list)
  }

  /** Per sender, the highest counter accepted (what a restart must not accept again). */
  marks(): Record<string, number> {
    return Object.fromEntries([...this.seen].map(([from, s]) => [from, s.high]))
  }
}
