import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { Sample } from '../../shared/wire/sample.ts'
import { openSqliteOutbox, type SqliteOutboxOptions } from './sqlite-outbox.ts'

/** Gap records: what the outbox drops (cap, age) is recorded, carried by a batch, and kept to answer resends. */
const T0 = 1_700_000_000_000
const s = (point: string, i: number): Sample => ({ point, ts: T0 + i, value: i, quality: 'good' })
/** A clock the test moves; timers are not used by the outbox. */
const clockAt = (start: number) => {
  let now = start
  return {
    now: () => now,
    advance: (ms: number) => void (now += ms),
    setTimeout: () => {
      throw new Error('unused')
    },
    clearTimeout: () => {},
  }
}

describe('outbox gap records', () => {
  let dir: string
  const open = (o: Partial<SqliteOutboxOptions> = {}) => openSqliteOutbox({ file: path.join(dir, 'outbox.db'), ...o })
  beforeEach(() => void (dir = mkdtempSync(path.join(tmpdir(), 'parklink-gaps-'))))
  afterEach(() => rmSync(dir, { recursive: true, force: true }))

  it('a run of cap evictions is one growing record, carried by the newest batch, delivered by its ack', () => {
    const o = open({ maxBytes: 1 })
    o.append([s('a', 1), s('b', 2)])
    o.append([s('c', 3)])
    expect(o.peek(0, 10).map((b) => [b.seq, b.gaps])).toEqual([
      [
        2,
        [
          {
            reason: 'cap',
            fromSeq: 1,
            throughSeq: 1,
            batches: 1,
            samples: 2,
            from: T0 + 1,
            to: T0 + 2,
            points: ['a', 'b'],
            at: expect.any(Number),
          },
        ],
      ],
    ])
    o.append([s('a', 4)])
    // Batch 2 (the old carrier) is gone; batch 3 carries the grown record.
    expect(
      o.peek(0, 10).map((b) => [b.seq, b.gaps?.map((g) => [g.fromSeq, g.throughSeq, g.samples, g.points])]),
    ).toEqual([[3, [[1, 2, 3, ['a', 'b', 'c']]]]])
    o.ackThrough(3)
    o.append([s('d', 5)])
    // Delivered and nothing new dropped: the next batch carries nothing, the record is kept for resends.
    expect(o.peek(0, 10)).toEqual([expect.not.objectContaining({ gaps: expect.anything() })])
    expect(o.gapsOverlapping(2, 2)).toMatchObject([{ fromSeq: 1, throughSeq: 2 }])
    expect(o.gapsOverlapping(3, 9)).toEqual([])
    o.close()
  })

  it('drops batches older than maxAge, records an "age" gap, and survives a reopen undelivered', () => {
    const clock = clockAt(T0)
    let o = open({ maxAgeMs: 3_600_000, clock })
    o.append([s('a', 1)])
    o.append([s('b', 2)])
    clock.advance(3_600_001)
    o.append([s('c', 3)])
    expect(o.stats()).toMatchObject({ batches: 1, evicted: 2 })
    o.close()
    o = open({ maxAgeMs: 3_600_000, clock })
    expect(o.peek(0, 10)).toMatchObject([
      { seq: 3, gaps: [{ reason: 'age', fromSeq: 1, throughSeq: 2, batches: 2, samples: 2, points: ['a', 'b'] }] },
    ])
    o.close()
  })

  it('a record whose carrier is evicted before the ack rides with the next batch', () => {
    const o = open({ maxBytes: 1 })
    o.append([s('a', 1)])
    o.append([s('b', 2)]) // evicts 1; batch 2 carries gap 1..1
    o.append([s('c', 3)]) // evicts 2 (the carrier); the grown record 1..2 moves to batch 3
    const [b] = o.peek(0, 10)
    expect(b).toMatchObject({ seq: 3, gaps: [{ fromSeq: 1, throughSeq: 2, samples: 2 }] })
    o.close()
  })
})
