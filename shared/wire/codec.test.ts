import { describe, expect, it } from 'vitest'
import { decodeAck, decodeData, decodeStatus, encode } from './codec.ts'
import type { DataBatch, StatusBirth } from './messages.ts'

const batch: DataBatch = {
  v: 1,
  edge: 'shilian-01',
  session: 's-1',
  outbox: '5d0c8f6e-3b1a-4c2d-9e8f-0a1b2c3d4e5f',
  seq: 7,
  floor: 5,
  samples: [
    { point: 'shilian.tk101.level', ts: 1_700_000_000_000, value: 7.25, quality: 'good' },
    { point: 'shilian.p101.run', ts: 1_700_000_000_000, value: true, quality: 'good' },
    { point: 'shilian.gt101.nh3', ts: 1_700_000_000_000, value: null, quality: 'bad', reason: 'timeout' },
  ],
}

describe('codec', () => {
  it('round-trips a data batch unchanged', () => {
    const decoded = decodeData(encode(batch))
    expect(decoded).toEqual({ ok: true, value: batch })
  })

  it('round-trips every status kind and the ack', () => {
    const birth: StatusBirth = {
      v: 1,
      kind: 'birth',
      edge: 'e1',
      site: 'park',
      session: 's',
      ts: 1,
      configHash: 'abc',
      points: [{ id: 'p.1', name: '液位', unit: 'm' }],
      outbox: { samples: 0, batches: 0, bytes: 0, oldestTs: null, evicted: 0 },
      outboxId: '5d0c8f6e-3b1a-4c2d-9e8f-0a1b2c3d4e5f',
    }
    const death = { v: 1, kind: 'death', edge: 'e1', session: 's' } as const
    expect(decodeStatus(encode(birth))).toEqual({ ok: true, value: birth })
    expect(decodeStatus(encode(death))).toEqual({ ok: true, value: death })
    const ack = { v: 1, edge: 'e1', outbox: '5d0c8f6e-3b1a-4c2d-9e8f-0a1b2c3d4e5f', through: 42, ts: 3 } as const
    expect(decodeAck(encode(ack))).toEqual({ ok: true, value: ack })
  })

  it.each([
    ['not JSON', 'not json {', /not JSON/],
    ['wrong version', JSON.stringify({ ...batch, v: 2 }), /^v:/],
    ['floor above seq', JSON.stringify({ ...batch, floor: 8 }), /^floor:/],
    ['zero seq', JSON.stringify({ ...batch, seq: 0 }), /^seq:/],
    ['empty samples', JSON.stringify({ ...batch, samples: [] }), /^samples:/],
    [
      'bad quality',
      JSON.stringify({ ...batch, samples: [{ ...batch.samples[0], quality: 'ok' }] }),
      /^samples\.0\.quality:/,
    ],
    ['topic-unsafe edge id', JSON.stringify({ ...batch, edge: 'a/+/b' }), /^edge:/],
    ['no outbox id', JSON.stringify({ ...batch, outbox: undefined }), /^outbox:/],
    ['a malformed outbox id', JSON.stringify({ ...batch, outbox: 'a/+' }), /^outbox:/],
    ['fractional ts', JSON.stringify({ ...batch, samples: [{ ...batch.samples[0], ts: 1.5 }] }), /^samples\.0\.ts:/],
  ])('rejects %s with the path of the problem, never throws', (_name, payload, pattern) => {
    const decoded = decodeData(Buffer.from(payload))
    expect(decoded.ok).toBe(false)
    if (!decoded.ok) expect(decoded.error).toMatch(pattern)
  })

  it('rejects an unknown status kind', () => {
    expect(decodeStatus(JSON.stringify({ v: 1, kind: 'zombie', edge: 'e', session: 's' })).ok).toBe(false)
  })
})
