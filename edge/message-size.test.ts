import { randomBytes, randomUUID } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import type { CameraEvent } from '../shared/wire/camera.ts'
import { CameraEvent as CameraEventSchema } from '../shared/wire/camera.ts'
import type { Sample } from '../shared/wire/sample.ts'
import { ENVELOPE_RESERVE, budgetOf, payloadBytes, splitSamples, splitSnapshot } from './message-size.ts'
import { mulberry32 } from '../test/sim/plant.ts'

const sampleOf = (r: () => number, i: number): Sample => {
  const kind = r()
  const point = `p${Math.floor(r() * 50)}.${'x'.repeat(Math.floor(r() * 40))}`
  if (kind < 0.4) return { point, ts: 1_700_000_000_000 + i, value: r() * 1e6, quality: 'good' }
  if (kind < 0.8)
    return { point, ts: 1_700_000_000_000 + i, value: '漢'.repeat(Math.floor(r() * 300)), quality: 'good' }
  return {
    point,
    ts: 1_700_000_000_000 + i,
    value: null,
    quality: 'bad',
    reason: 'timeout'.repeat(Math.floor(r() * 30)),
  }
}

describe('messages that fit the broker', () => {
  it('sample batches never exceed the byte budget or the count, keep every sample in order, and leave room for the alarms', () => {
    for (let seed = 1; seed <= 200; seed++) {
      const r = mulberry32(seed)
      const samples = Array.from({ length: Math.floor(r() * 3_000) }, (_, i) => sampleOf(r, i))
      const maxSamples = 1 + Math.floor(r() * 800)
      const budget = 2_000 + Math.floor(r() * 200_000)
      const reserve = Math.floor(r() * 1_000)
      const { batches, tooLarge } = splitSamples(samples, maxSamples, budget, reserve)
      const where = `seed ${seed}`
      expect(batches.flat().concat(tooLarge).length, where).toBe(samples.length)
      expect(batches.flat(), where).toEqual(samples.filter((s) => !tooLarge.includes(s)))
      for (const [i, b] of batches.entries()) {
        expect(b.length, where).toBeGreaterThan(0)
        expect(b.length, where).toBeLessThanOrEqual(maxSamples)
        expect(payloadBytes(b) + (i === batches.length - 1 ? reserve : 0), where).toBeLessThanOrEqual(budget)
      }
      for (const s of tooLarge) expect(payloadBytes([s]) + reserve, where).toBeGreaterThan(budget)
    }
  })

  it('a snapshot too large for one message becomes parts under the budget that join to the same base64, then the event without the data', () => {
    for (const [bytes, limit] of [
      [2 * 1024 * 1024, 1024 * 1024],
      [900 * 1024, 1024 * 1024],
      [4 * 1024 * 1024 - 10, 256 * 1024],
      [100_000, 1024 * 1024],
    ] as const) {
      const data = randomBytes(bytes).toString('base64')
      const e: CameraEvent = {
        id: randomUUID(),
        camera: 'cam-gate',
        ts: 1,
        type: 'raise',
        topic: 't',
        kind: 'intrusion',
        code: 'RYRQ',
        priority: 'A',
        snapshot: { id: randomUUID(), ts: 1, contentType: 'image/jpeg', bytes, sha256: '0'.repeat(64), data },
      }
      const pieces = splitSnapshot(e, 200, budgetOf(limit))!
      for (const p of pieces) {
        expect(payloadBytes([], undefined, [p]) + 200).toBeLessThanOrEqual(limit - ENVELOPE_RESERVE)
        expect(CameraEventSchema.safeParse(p).success).toBe(true)
      }
      if (data.length * 1.0 < budgetOf(limit) - 1_000) {
        expect(pieces).toEqual([e])
        continue
      }
      const parts = pieces.slice(0, -1)
      const last = pieces.at(-1)!
      expect(parts.map((p) => (p.type === 'part' ? p.index : -1))).toEqual(parts.map((_, i) => i))
      expect(parts.map((p) => (p.type === 'part' ? p.data : '')).join('')).toBe(data)
      expect(last).toMatchObject({ type: 'raise', snapshot: { data: '', parts: parts.length } })
    }
  })

  it('a snapshot that would need more parts than the wire allows is refused (null)', () => {
    const data = 'A'.repeat(4 * 1024 * 1024)
    const e: CameraEvent = {
      id: randomUUID(),
      camera: 'cam-gate',
      ts: 1,
      type: 'snapshot',
      alarm: 1,
      request: randomUUID(),
      snapshot: {
        id: randomUUID(),
        ts: 1,
        contentType: 'image/jpeg',
        bytes: 3 * 1024 * 1024,
        sha256: '0'.repeat(64),
        data,
      },
    }
    expect(splitSnapshot(e, 200, 32 * 1024)).toBeNull()
  })
})
