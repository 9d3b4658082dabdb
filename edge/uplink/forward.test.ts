import { describe, expect, it } from 'vitest'
import { nextBatches, SendWindow } from './forward.ts'

/** An outbox holding seqs 1..lastSeq minus the acked ones: what the uplink publishes now. */
function fill(w: SendWindow, lastSeq: number, now: number): number[] {
  const peek = (after: number, limit: number) => {
    const out: Array<{ seq: number }> = []
    for (let seq = Math.max(after, w.ackedThrough) + 1; seq <= lastSeq && out.length < limit; seq++) out.push({ seq })
    return out
  }
  return nextBatches(w, peek, now).map((b) => b.seq)
}

/** A window on a new connection with nothing waiting: everything written from now on is live. */
function live(ackedThrough: number, limits: ConstructorParameters<typeof SendWindow>[1]): SendWindow {
  const w = new SendWindow(ackedThrough, limits)
  w.connected(ackedThrough)
  return w
}

describe('SendWindow', () => {
  it('publishes at most maxInflight unacked batches and slides on cloud acks', () => {
    const w = live(0, { maxInflight: 3, ackTimeoutMs: 1000 })
    expect(fill(w, 10, 0)).toEqual([1, 2, 3])
    expect(w.capacity()).toBe(0)
    expect(w.acked(2, 10)).toBe(true)
    expect(w.inflight).toBe(1)
    expect(fill(w, 10, 10)).toEqual([4, 5])
    expect(w.acked(5, 20)).toBe(true)
    expect(fill(w, 10, 20)).toEqual([6, 7, 8])
  })

  it('starts after the mark it is given (the outbox ack persisted across restarts)', () => {
    const w = live(41, { maxInflight: 2, ackTimeoutMs: 1000 })
    expect(fill(w, 50, 0)).toEqual([42, 43])
  })

  it('ignores acks that do not advance the mark', () => {
    const w = live(0, { maxInflight: 5, ackTimeoutMs: 1000 })
    fill(w, 5, 0)
    w.acked(3, 1)
    expect(w.acked(3, 2)).toBe(false)
    expect(w.acked(1, 2)).toBe(false)
    expect({ acked: w.ackedThrough, inflight: w.inflight }).toEqual({ acked: 3, inflight: 2 })
  })

  it('an ack beyond what was sent (a retained mark) moves the send point too', () => {
    const w = live(0, { maxInflight: 5, ackTimeoutMs: 1000 })
    fill(w, 2, 0)
    w.acked(7, 5)
    expect({ sent: w.after('live'), inflight: w.inflight, deadline: w.deadline() }).toEqual({
      sent: 7,
      inflight: 0,
      deadline: null,
    })
    expect(fill(w, 9, 5)).toEqual([8, 9])
  })

  it('rewinds to the last ack after ackTimeoutMs without progress, then waits longer each time', () => {
    const w = live(0, { maxInflight: 4, ackTimeoutMs: 1000, maxBackoff: 4 })
    fill(w, 3, 100)
    expect(w.deadline()).toBe(1100)
    expect(w.checkTimeout(1099)).toBe(false)
    expect(w.checkTimeout(1100)).toBe(true)
    expect({ sent: w.after('live'), inflight: w.inflight }).toEqual({ sent: 0, inflight: 0 })
    expect(fill(w, 3, 1100)).toEqual([1, 2, 3])
    expect(w.deadline()).toBe(3100)
    w.checkTimeout(3100)
    fill(w, 3, 3100)
    expect(w.deadline()).toBe(7100)
    w.checkTimeout(7100)
    fill(w, 3, 7100)
    expect(w.deadline()).toBe(11_100) // capped at 4 × ackTimeoutMs
    // Progress resets the wait to one timeout from the ack.
    w.acked(1, 8000)
    expect(w.deadline()).toBe(9000)
  })

  it('restarts the wait on every ack progress while batches remain in flight', () => {
    const w = live(0, { maxInflight: 4, ackTimeoutMs: 1000 })
    fill(w, 4, 0)
    w.acked(1, 900)
    expect(w.checkTimeout(1500)).toBe(false)
    expect(w.deadline()).toBe(1900)
    w.acked(4, 1000)
    expect(w.deadline()).toBeNull()
    expect(w.checkTimeout(10_000)).toBe(false)
  })

  it('rewind (a new connection) resends from the mark', () => {
    const w = live(0, { maxInflight: 3, ackTimeoutMs: 1000 })
    fill(w, 9, 0)
    w.acked(1, 1)
    w.rewind()
    expect(fill(w, 9, 2)).toEqual([2, 3, 4])
  })

  it('refuses a seq sent out of order and absurd limits', () => {
    const w = live(0, { maxInflight: 3, ackTimeoutMs: 1000 })
    w.sent(2, 0)
    expect(() => w.sent(2, 0)).toThrow(RangeError)
    expect(() => new SendWindow(0, { maxInflight: 0, ackTimeoutMs: 1 })).toThrow(RangeError)
    expect(() => new SendWindow(0, { maxInflight: 4, ackTimeoutMs: 1, replayInflight: 0 })).toThrow(RangeError)
  })
})

describe('SendWindow replay: live first, backlog in order behind it', () => {
  it('after reconnecting with a backlog, a new live batch goes out before the rest of the backlog', () => {
    const w = new SendWindow(0, { maxInflight: 8, ackTimeoutMs: 1000, replayInflight: 6 })
    w.connected(100) // seqs 1..100 waited through the outage
    // The backlog may use 6 of the 8 slots, oldest first.
    expect(fill(w, 100, 0)).toEqual([1, 2, 3, 4, 5, 6])
    // Live data arrives while the cloud has acked none of it: it is published at once.
    expect(fill(w, 102, 1)).toEqual([101, 102])
    expect(w.capacity('live')).toBe(0)
    // The cloud stores the live batches above its mark and says so (selective ack)...
    expect(w.acked(0, 2, [[101, 102]])).toBe(false)
    expect(w.inflight).toBe(6)
    // ...so live keeps flowing while the backlog is still unacked.
    expect(fill(w, 103, 3)).toEqual([103])
    // The backlog drains in order as the mark advances; live batches written meanwhile go first.
    w.acked(6, 4, [[101, 103]])
    expect(fill(w, 104, 5)).toEqual([104, 7, 8, 9, 10, 11, 12])
  })

  it('drains the whole backlog in seq order and then is plain live', () => {
    const w = new SendWindow(0, { maxInflight: 4, ackTimeoutMs: 1000, replayInflight: 3 })
    w.connected(10)
    const order: number[] = []
    for (let t = 0; w.backlog > 0; t++) {
      const sent = fill(w, 10, t)
      order.push(...sent)
      w.acked(Math.max(w.ackedThrough, ...sent), t)
    }
    expect(order).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10])
    expect(w.capacity('backlog')).toBe(0)
    expect(fill(w, 14, 100)).toEqual([11, 12, 13, 14])
  })

  it('does not publish again what the cloud already holds, after a rewind or a reconnect', () => {
    const w = new SendWindow(0, { maxInflight: 8, ackTimeoutMs: 1000, replayInflight: 6 })
    w.connected(5)
    expect(fill(w, 8, 0)).toEqual([6, 7, 8, 1, 2, 3, 4, 5])
    w.acked(2, 1, [[6, 8]])
    expect(w.checkTimeout(5000)).toBe(true)
    expect(fill(w, 8, 5000)).toEqual([3, 4, 5])
    // A reconnect: 6..8 are backlog now, still held by the cloud: skipped.
    w.connected(9)
    expect(fill(w, 9, 6000)).toEqual([3, 4, 5, 9])
  })

  it('a stale ack (below the mark) does not erase the ranges a newer ack gave', () => {
    const w = new SendWindow(0, { maxInflight: 8, ackTimeoutMs: 1000, replayInflight: 6 })
    w.connected(3)
    fill(w, 6, 0)
    w.acked(2, 1, [[4, 6]])
    w.acked(1, 2, [])
    w.rewind()
    expect(fill(w, 6, 3)).toEqual([3])
  })

  it('unsent: what this connection has not published yet in its lane (a resend leaves it to the window)', () => {
    const w = new SendWindow(0, { maxInflight: 4, ackTimeoutMs: 1000, replayInflight: 2 })
    w.connected(10) // 1..10 backlog
    expect(fill(w, 12, 0)).toEqual([11, 12, 1, 2])
    // Sent and unacked: a resend publishes them again; the rest of the backlog is the window's.
    expect([1, 2, 3, 10, 11, 12, 13].map((s) => w.unsent(s))).toEqual([false, false, true, true, false, false, true])
    w.acked(2, 1, [[11, 12]])
    expect(w.unsent(2)).toBe(false)
    // A rewind (ack timeout, reconnect) makes everything unacked the window's again (it skips 11–12: the cloud holds them).
    w.rewind()
    expect([2, 3, 11, 13].map((s) => w.unsent(s))).toEqual([false, true, true, true])
  })

  it('live data that alone would fill the window leaves the backlog its slots: the drain goes on', () => {
    const w = new SendWindow(0, { maxInflight: 4, ackTimeoutMs: 1000, replayInflight: 2 })
    w.connected(10) // 1..10 backlog; the edge writes live batches faster than the cloud acks them
    expect(fill(w, 50, 0)).toEqual([11, 12, 1, 2])
    w.acked(0, 1, [[11, 12]])
    expect(fill(w, 50, 2)).toEqual([13, 14]) // the backlog's two slots are in use, not given to live
    w.acked(2, 3, [[11, 14]])
    expect(fill(w, 50, 4)).toEqual([15, 16, 3, 4])
    // Once the backlog is acked, live has the whole window again.
    w.acked(10, 5, [[11, 16]])
    expect(fill(w, 50, 6)).toEqual([17, 18, 19, 20])
  })

  it('with a window of one, the backlog still drains (live first)', () => {
    const w = new SendWindow(0, { maxInflight: 1, ackTimeoutMs: 1000 })
    w.connected(2)
    expect(fill(w, 3, 0)).toEqual([3])
    w.acked(0, 1, [[3, 3]])
    expect(fill(w, 3, 1)).toEqual([1])
  })
})
