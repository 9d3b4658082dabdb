import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { Outbox } from '../../edge/outbox/outbox.ts'
import type { Sample } from '../../shared/wire/sample.ts'
import { OutboxId } from '../../shared/wire/messages.ts'

/**
 * The Outbox contract (edge/outbox/outbox.ts) as executable tests, run against every
 * implementation: `runOutboxConformance({ name, newOutbox, reopen })` in the implementation's
 * test file. `newOutbox(dir)` opens an outbox kept in the (empty, temporary) folder `dir`;
 * `reopen(dir)` opens the same storage again after close() — omit it for a volatile outbox and
 * the durability tests are skipped. `skip` lists test names an implementation opts out of.
 */
export interface OutboxFactoryOptions {
  maxBytes?: number
}

export interface OutboxConformanceOptions {
  name: string
  newOutbox: (dir: string, options?: OutboxFactoryOptions) => Outbox
  reopen?: (dir: string, options?: OutboxFactoryOptions) => Outbox
  skip?: string[]
}

const T0 = 1_700_000_000_000

/** `n` samples that serialize to the same size for the same n and seed width. */
function samples(n: number, seed: number, ts = T0 + seed * 1000): Sample[] {
  return Array.from({ length: n }, (_, i) => ({
    point: `p.${i}`,
    ts: ts + i,
    value: seed * 10 + i,
    quality: 'good' as const,
  }))
}

export function runOutboxConformance(options: OutboxConformanceOptions): void {
  const skip = new Set(options.skip ?? [])
  const test = (name: string, fn: () => void) => (skip.has(name) ? it.skip(name, fn) : it(name, fn))
  const durable = (name: string, fn: (reopen: NonNullable<OutboxConformanceOptions['reopen']>) => void) =>
    options.reopen && !skip.has(name) ? it(name, () => fn(options.reopen!)) : it.skip(name, () => {})

  describe(`Outbox conformance: ${options.name}`, () => {
    let dir: string
    let opened: Outbox[]
    const open = (opts?: OutboxFactoryOptions) => track(options.newOutbox(dir, opts))
    const track = (o: Outbox) => (opened.push(o), o)

    beforeEach(() => {
      dir = mkdtempSync(path.join(tmpdir(), 'parklink-outbox-'))
      opened = []
    })
    afterEach(() => {
      for (const o of opened) o.close()
      rmSync(dir, { recursive: true, force: true })
    })

    test('a fresh outbox is empty, with floor 1', () => {
      const o = open()
      expect(o.stats()).toEqual({
        samples: 0,
        batches: 0,
        bytes: 0,
        oldestTs: null,
        evicted: 0,
        lastSeq: 0,
        ackedThrough: 0,
        id: o.id,
      })
      expect(OutboxId.safeParse(o.id).success).toBe(true)
      expect(o.floor()).toBe(1)
      expect(o.peek(0, 10)).toEqual([])
    })

    test('append assigns seqs increasing by one, starting at 1', () => {
      const o = open()
      expect([1, 2, 3].map((i) => o.append(samples(2, i)))).toEqual([1, 2, 3])
      expect(o.stats().lastSeq).toBe(3)
    })

    test('append refuses an empty batch', () => {
      const o = open()
      expect(() => o.append([])).toThrow()
      expect(o.stats().lastSeq).toBe(0)
    })

    test('peek returns batches after a seq, oldest first, at most limit, samples unchanged', () => {
      const o = open()
      const mixed: Sample[] = [
        { point: 'shilian.tk101.level', ts: T0, value: 7.25, quality: 'good' },
        { point: 'shilian.p101.run', ts: T0, value: true, quality: 'good' },
        { point: 'shilian.p101.mode', ts: T0, value: '自动', quality: 'uncertain', reason: 'source_status:未确认' },
        { point: 'shilian.gt101.nh3', ts: T0, value: null, quality: 'bad', reason: 'timeout' },
      ]
      o.append(mixed)
      for (let i = 2; i <= 5; i++) o.append(samples(3, i))
      const all = o.peek(0, 100)
      expect(all.map((b) => b.seq)).toEqual([1, 2, 3, 4, 5])
      expect(all[0]?.samples).toEqual(mixed)
      expect(all[3]?.samples).toEqual(samples(3, 4))
      expect(typeof all[0]?.createdAt).toBe('number')
      expect(o.peek(2, 2).map((b) => b.seq)).toEqual([3, 4])
      expect(o.peek(5, 10)).toEqual([])
      expect(o.peek(0, 0)).toEqual([])
    })

    test('alarms travel with the batch of their samples; batches without alarms carry none', () => {
      const o = open()
      const alarms = [
        {
          type: 'raise' as const,
          point: 'p.0',
          kind: 'HH' as const,
          priority: 'S' as const,
          ts: T0,
          value: 11,
          limit: 10.5,
        },
      ]
      o.append(samples(2, 1), alarms)
      o.append(samples(2, 2))
      o.append(samples(2, 3), [])
      const [a, b, c] = o.peek(0, 10)
      expect(a?.alarms).toEqual(alarms)
      expect(a?.samples).toEqual(samples(2, 1))
      expect(b?.alarms).toBeUndefined()
      expect(c?.alarms).toBeUndefined()
    })

    test('ackThrough deletes through seq, is idempotent and ignores lower values', () => {
      const o = open()
      for (let i = 1; i <= 5; i++) o.append(samples(2, i))
      o.ackThrough(3)
      expect(o.peek(0, 10).map((b) => b.seq)).toEqual([4, 5])
      expect(o.stats()).toMatchObject({ ackedThrough: 3, batches: 2, samples: 4 })
      o.ackThrough(3)
      o.ackThrough(1)
      o.ackThrough(0)
      expect(o.peek(0, 10).map((b) => b.seq)).toEqual([4, 5])
      expect(o.stats().ackedThrough).toBe(3)
    })

    test('ackThrough never passes the last seq assigned', () => {
      const o = open()
      o.append(samples(1, 1))
      o.ackThrough(50)
      expect(o.stats()).toMatchObject({ ackedThrough: 1, batches: 0 })
      // Had the ack recorded 50, the next batches (2, 3) would count as delivered and be skipped.
      o.append(samples(1, 2))
      o.append(samples(1, 3))
      expect(o.peek(o.stats().ackedThrough, 10).map((b) => b.seq)).toEqual([2, 3])
    })

    test('floor is the lowest seq held, or lastSeq + 1 when empty', () => {
      const o = open()
      for (let i = 1; i <= 4; i++) o.append(samples(1, i))
      expect(o.floor()).toBe(1)
      o.ackThrough(2)
      expect(o.floor()).toBe(3)
      o.ackThrough(4)
      expect(o.floor()).toBe(5)
    })

    test('stats count samples, batches, bytes and the oldest sample time held', () => {
      const o = open()
      o.append(samples(3, 1, T0 + 5_000))
      const one = o.stats().bytes
      expect(one).toBeGreaterThan(0)
      o.append(samples(2, 2, T0)) // older source time in a newer batch (another device's clock)
      o.append(samples(4, 3, T0 + 9_000))
      expect(o.stats()).toMatchObject({ samples: 9, batches: 3, oldestTs: T0, lastSeq: 3, ackedThrough: 0, evicted: 0 })
      expect(o.stats().bytes).toBeGreaterThan(one)
      o.ackThrough(2)
      expect(o.stats()).toMatchObject({ samples: 4, batches: 1, oldestTs: T0 + 9_000 })
      o.ackThrough(3)
      expect(o.stats()).toMatchObject({ samples: 0, batches: 0, bytes: 0, oldestTs: null })
    })

    test('a seq is never reused after everything was acked', () => {
      const o = open()
      o.append(samples(1, 1))
      o.append(samples(1, 2))
      o.ackThrough(2)
      expect(o.append(samples(1, 3))).toBe(3)
    })

    test('the size cap evicts the oldest batches and counts every evicted sample', () => {
      // A second outbox in its own folder, to learn this implementation's size of such a batch.
      const probe = track(options.newOutbox(mkdtempSync(path.join(dir, 'probe-'))))
      probe.append(samples(10, 1))
      const perBatch = probe.stats().bytes
      const o = open({ maxBytes: Math.floor(perBatch * 3.5) })
      const seqs = Array.from({ length: 10 }, (_, i) => o.append(samples(10, i + 1)))
      expect(seqs).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10])
      expect(o.stats()).toMatchObject({ batches: 3, samples: 30, evicted: 70, lastSeq: 10 })
      expect(o.stats().bytes).toBeLessThanOrEqual(Math.floor(perBatch * 3.5))
      expect(o.floor()).toBe(8)
      expect(o.peek(0, 10).map((b) => b.seq)).toEqual([8, 9, 10])
      // Acks below the floor change nothing; the evicted count stays exact.
      o.ackThrough(5)
      expect(o.stats()).toMatchObject({ batches: 3, evicted: 70, ackedThrough: 5 })
    })

    test('the size cap never evicts the batch just written', () => {
      const o = open({ maxBytes: 10 })
      o.append(samples(5, 1))
      o.append(samples(5, 2))
      expect(o.peek(0, 10).map((b) => b.seq)).toEqual([2])
      expect(o.stats()).toMatchObject({ batches: 1, samples: 5, evicted: 5 })
    })

    test('close is idempotent and later use throws', () => {
      const o = open()
      o.close()
      o.close()
      expect(() => o.append(samples(1, 1))).toThrow()
    })

    durable('unacked batches, acks and seq numbering survive close and reopen', (reopen) => {
      const o = open()
      for (let i = 1; i <= 5; i++) o.append(samples(2, i))
      o.ackThrough(2)
      o.close()
      const again = track(reopen(dir))
      expect(again.stats()).toMatchObject({ batches: 3, samples: 6, lastSeq: 5, ackedThrough: 2, oldestTs: T0 + 3000 })
      expect(again.peek(0, 10).map((b) => b.seq)).toEqual([3, 4, 5])
      expect(again.peek(0, 10)[0]?.samples).toEqual(samples(2, 3))
      expect(again.floor()).toBe(3)
      expect(again.append(samples(1, 6))).toBe(6)
    })

    durable('a seq is never reused after ack of everything and reopen', (reopen) => {
      const o = open()
      o.append(samples(1, 1))
      o.append(samples(1, 2))
      o.ackThrough(2)
      o.close()
      const again = track(reopen(dir))
      expect(again.floor()).toBe(3)
      expect(again.append(samples(1, 3))).toBe(3)
    })

    durable('the outbox id survives reopen; another storage has another id', (reopen) => {
      const o = open()
      const id = o.id
      o.append(samples(1, 1))
      o.close()
      expect(track(reopen(dir)).id).toBe(id)
      const elsewhere = mkdtempSync(path.join(tmpdir(), 'parklink-outbox-'))
      try {
        const other = options.newOutbox(elsewhere)
        expect(other.id).not.toBe(id)
        other.close()
      } finally {
        rmSync(elsewhere, { recursive: true, force: true })
      }
    })

    durable('the evicted count survives reopen', (reopen) => {
      const o = open({ maxBytes: 10 })
      o.append(samples(4, 1))
      o.append(samples(4, 2))
      o.close()
      const again = track(reopen(dir, { maxBytes: 10 }))
      expect(again.stats()).toMatchObject({ evicted: 4, batches: 1, lastSeq: 2 })
    })
  })
}
