import { describe, expect, it } from 'vitest'
import type { EdgeAgentStatus } from '../agent-status.ts'
import { emptySealCounts, SealRefusals } from '../../shared/crypto/sealer.ts'
import { LANGS, labels } from './i18n.ts'
import { consoleView } from './view.ts'

const status = {
  site: 'huaian',
  edge: 'shilian-01',
  session: 's',
  configHash: 'h',
  startedAt: 0,
  at: 10_000,
  drivers: [
    { device: 'dcs', kind: 'modbus-tcp', state: 'connected', since: 1, lastError: null },
    { device: 'gas', kind: 'modbus-tcp', state: 'disconnected', since: 2, lastError: 'ECONNREFUSED' },
  ],
  outbox: {
    samples: 120,
    batches: 4,
    bytes: 5000,
    oldestTs: 1000,
    evicted: 0,
    lastSeq: 9,
    ackedThrough: 5,
    id: '0f1e2d3c-aaaa-4bbb-8ccc-123456789abc',
  },
  uplink: {
    connected: false,
    lastAckAt: null,
    clockOffsetMs: null,
    ackedThrough: 5,
    inflight: 0,
    backlog: 0,
    lastError: 'connect ECONNREFUSED',
  },
  alarms: [],
  samplesPerHour: 3600,
  backlogHours: 2.5,
} as EdgeAgentStatus

describe('console view', () => {
  it('lists configured points in config order, not-yet-read ones too, and gives each driver its last good read', () => {
    const v = consoleView({
      status,
      points: [
        { id: 'tk101.level', name: '液位', unit: 'm', device: 'dcs' },
        { id: 'nh3.1', unit: 'ppm', device: 'gas' },
      ],
      latest: [
        {
          point: 'tk101.level',
          device: 'dcs',
          ts: 9_000,
          value: 4.2,
          quality: 'good',
          lastGoodTs: 9_000,
          lastGoodValue: 4.2,
        },
        {
          point: 'pg.m1.settlement',
          device: 'settlement',
          ts: 9_500,
          value: -1.2,
          quality: 'good',
          lastGoodTs: 9_500,
          lastGoodValue: -1.2,
        },
      ],
      lastGoodByDevice: new Map([['dcs', 9_000]]),
      events: [{ at: 8_000, level: 'warn', msg: 'device does not answer', device: 'gas' }],
    })
    expect(v.values.map((x) => x.point)).toEqual(['tk101.level', 'nh3.1', 'pg.m1.settlement'])
    expect(v.values[0]).toMatchObject({ name: '液位', unit: 'm', value: 4.2, quality: 'good', ts: 9_000 })
    expect(v.values[1]).toMatchObject({ value: null, quality: null, ts: null, device: 'gas' })
    expect(v.drivers).toEqual([
      { device: 'dcs', kind: 'modbus-tcp', state: 'connected', since: 1, lastError: null, lastGoodAt: 9_000 },
      {
        device: 'gas',
        kind: 'modbus-tcp',
        state: 'disconnected',
        since: 2,
        lastError: 'ECONNREFUSED',
        lastGoodAt: null,
      },
    ])
    expect(v.outbox).toEqual({
      id: '0f1e2d3c',
      samples: 120,
      batches: 4,
      bytes: 5000,
      evicted: 0,
      backlogHours: 2.5,
      samplesPerHour: 3600,
    })
    expect(v.uplink.connected).toBe(false)
    expect(v.events).toHaveLength(1)
  })

  it('shows the data disk (free space, reserve, refusals), and nothing for a status without it (issue 14)', () => {
    const base = { status, points: [], latest: [], lastGoodByDevice: new Map(), events: [] }
    expect(consoleView(base).disk).toBeNull()
    const disk = { freeBytes: 123_456_789, reserveBytes: 16 * 1024 ** 2, reserveHeld: false, full: true, refused: 300 }
    expect(consoleView({ ...base, status: { ...status, disk } }).disk).toEqual({
      freeMB: 123.4,
      reserveHeld: false,
      full: true,
      refused: 300,
    })
  })

  it('sums the cloud messages the edge refused by verification, by reason, leaving out retained messages already seen', () => {
    const none = consoleView({ status, points: [], latest: [], lastGoodByDevice: new Map(), events: [] })
    expect(none.crypto).toBeNull()
    const refused = { ...emptySealCounts(), unsigned: 2, bad_signature: 1, stale_retained: 5, revoked: 1 }
    const v = consoleView({
      status: { ...status, uplink: { ...status.uplink, crypto: { suite: 'sm', refused } } },
      points: [],
      latest: [],
      lastGoodByDevice: new Map(),
      events: [],
    })
    expect(v.crypto).toEqual({
      suite: 'sm',
      refused: 4,
      byReason: [
        { reason: 'unsigned', count: 2 },
        { reason: 'bad_signature', count: 1 },
        { reason: 'revoked', count: 1 },
      ],
    })
    // Every reason has its words in both languages.
    for (const reason of SealRefusals) for (const lang of LANGS) expect(labels(lang)[`seal_${reason}`]).toMatch(/\S/)
    expect(labels('zh-CN').seal_revoked).not.toBe(labels('en').seal_revoked)
  })
})
