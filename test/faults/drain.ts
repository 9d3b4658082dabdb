const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

export interface AdvanceOptions {
  /** Give up when the value has not advanced for this long. */
  stallMs: number
  /** Give up after this long in all, advancing or not (a goal that runs away as fast as the value). */
  totalMs: number
  intervalMs?: number
}

/**
 * Waits until `read()` reaches `goal()` (read again each time: it may be a moving target) for as
 * long as the value keeps advancing. A cloud working through a backlog on a loaded machine takes
 * the time it needs; one that has stalled is given up on after `stallMs` without an advance, so
 * the bound is on the lack of progress, not on the machine's speed. Returns the last value read.
 */
export async function untilReached(
  read: () => Promise<number>,
  goal: () => number,
  o: AdvanceOptions,
): Promise<{ reached: boolean; last: number }> {
  const started = Date.now()
  let last = Number.NEGATIVE_INFINITY
  let movedAt = started
  for (;;) {
    const value = await read()
    if (value >= goal()) return { reached: true, last: value }
    if (value > last) {
      last = value
      movedAt = Date.now()
    } else if (Date.now() - movedAt >= o.stallMs) return { reached: false, last }
    if (Date.now() - started >= o.totalMs) return { reached: false, last }
    await sleep(o.intervalMs ?? 250)
  }
}
