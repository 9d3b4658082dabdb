import { describe, expect, it } from 'vitest'
import { SendWindow } from './forward.ts'

/** Sends as much as the window allows from a backlog of seqs (what the uplink does with peek). */
function fill(w: SendWindow, lastSeq: number, now: number): number[] {
  const out: number[] = []
  for (let seq = w.sentThrough + 1; seq <= lastSeq && w.capacity() > 0; seq++) {
    w.sent(seq, now)
    out.push(seq)
  }
  return out
}

describe('SendWindow', () => {
  it('publishes at most maxInflight unacked batches and slides on cloud acks', () => {
    const w = new SendWindow(0, { maxInflight: 3, ackTimeoutMs: 1000 })
    expect(fill(w, 10, 0)).toEqual([1, 2, 3])
    expect(w.capacity()).toBe(0)
    expect(w.acked(2, 10)).toBe(true)
    expect(w.inflight).toBe(1)
    expect(fill(w, 10, 10)).toEqual([4, 5])
    expect(w.acked(5, 20)).toBe(true)
    expect(fill(w, 10, 20)).toEqual([6, 7, 8])
  })

  it('starts after the mark it is given (the outbox ack persisted across restarts)', () => {
    const w = new SendWindow(41, { maxInflight: 2, ackTimeoutMs: 1000 })
    expect(fill(w, 50, 0)).toEqual([42, 43])
  })

  it('ignores acks that do not advance the mark', () => {
    const w = new SendWindow(0, { maxInflight: 5, ackTimeoutMs: 1000 })
    fill(w, 5, 0)
    w.acked(3, 1)
    expect(w.acked(3, 2)).toBe(false)
    expect(w.acked(1, 2)).toBe(false)
    expect({ acked: w.ackedThrough, inflight: w.inflight }).toEqual({ acked: 3, inflight: 2 })
  })

  it('an ack beyond what was sent (a retained mark) moves the send point too', () => {
    const w = new SendWindow(0, { maxInflight: 5, ackTimeoutMs: 1000 })
    fill(w, 2, 0)
    w.acked(7, 5)
    expect({ sent: w.sentThrough, inflight: w.inflight, deadline: w.deadline() }).toEqual({ sent: 7, inflight: 0, deadline: null })
    expect(fill(w, 9, 5)).toEqual([8, 9])
  })

  it('rewinds to the last ack after ackTimeoutMs without progress, then waits longer each time', () => {
    const w = new SendWindow(0, { maxInflight: 4, ackTimeoutMs: 1000, maxBackoff: 4 })
    fill(w, 3, 100)
    expect(w.deadline()).toBe(1100)
    expect(w.checkTimeout(1099)).toBe(false)
    expect(w.checkTimeout(1100)).toBe(true)
    expect({ sent: w.sentThrough, inflight: w.inflight }).toEqual({ sent: 0, inflight: 0 })
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
    const w = new SendWindow(0, { maxInflight: 4, ackTimeoutMs: 1000 })
    fill(w, 4, 0)
    w.acked(1, 900)
    expect(w.checkTimeout(1500)).toBe(false)
    expect(w.deadline()).toBe(1900)
    w.acked(4, 1000)
    expect(w.deadline()).toBeNull()
    expect(w.checkTimeout(10_000)).toBe(false)
  })

  it('rewind (a new connection) resends from the mark', () => {
    const w = new SendWindow(0, { maxInflight: 3, ackTimeoutMs: 1000 })
    fill(w, 9, 0)
    w.acked(1, 1)
    w.rewind()
    expect(fill(w, 9, 2)).toEqual([2, 3, 4])
  })

  it('refuses a seq sent out of order and absurd limits', () => {
    const w = new SendWindow(0, { maxInflight: 3, ackTimeoutMs: 1000 })
    w.sent(2, 0)
    expect(() => w.sent(2, 0)).toThrow(RangeError)
    expect(() => new SendWindow(0, { maxInflight: 0, ackTimeoutMs: 1 })).toThrow(RangeError)
  })
})
