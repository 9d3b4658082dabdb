import { describe, expect, it } from 'vitest'
import type { EdgeAgentStatus } from '../agent-status.ts'
import { formatStatus } from './status.ts'

const status = (uplink: Partial<EdgeAgentStatus['uplink']>) =>
  ({
    site: 'huaian',
    edge: 'shilian-01',
    session: 'b650d378-0000',
    configHash: 'h',
    startedAt: 0,
    at: 60_000,
    drivers: [{ device: 'dcs', kind: 'modbus-tcp', state: 'connected', since: 1, lastError: null }],
    outbox: {
      samples: 1200,
      batches: 40,
      bytes: 5000,
      oldestTs: 1000,
      evicted: 0,
      lastSeq: 90,
      ackedThrough: 50,
      id: '9a8b7c6d-aaaa-4bbb-8ccc-123456789abc',
    },
    uplink: {
      connected: true,
      lastAckAt: 59_000,
      clockOffsetMs: null,
      ackedThrough: 50,
      inflight: 8,
      backlog: 0,
      lastError: null,
      ...uplink,
    },
    alarms: [],
    samplesPerHour: 3600,
    backlogHours: 0.5,
  }) as EdgeAgentStatus

describe('edge status for a person', () => {
  it('says when a backlog is replaying behind live data, and says nothing of it otherwise', () => {
    expect(formatStatus(status({ backlog: 32 }), 60_000)).toMatch(
      /uplink: connected; 40 batches waiting for the cloud's ack, last ack 1 s ago; replaying 32 backlog batches behind live data/,
    )
    expect(formatStatus(status({}), 60_000)).not.toMatch(/replaying/)
  })

  it('shows acks as counts, never a seq that looks like a timestamp (issue 19)', () => {
    const first = formatStatus(status({ ackedThrough: 0, lastAckAt: null, backlog: 1_796_518_932_026 }), 60_000)
    expect(first).toMatch(
      /uplink: connected; 40 batches waiting for the cloud's ack, no ack from the cloud yet; replaying 40 backlog batches/,
    )
    expect(first).not.toMatch(/\d{10,}/)
  })

  it('shows the edge clock against the cloud, and says what to check when it is far off (issue 14)', () => {
    expect(formatStatus(status({}), 60_000)).toMatch(/clock: not compared with the cloud yet/)
    expect(formatStatus(status({ clockOffsetMs: 1_500 }), 60_000)).toMatch(
      /clock: 1\.5 s AHEAD of the cloud \(from its acks\)\n/,
    )
    expect(formatStatus(status({ clockOffsetMs: -7_200_000 }), 60_000)).toMatch(
      /clock: 7200\.0 s BEHIND the cloud \(from its acks\) — check NTP/,
    )
  })

  it('names the outbox by the short form of its id', () => {
    expect(formatStatus(status({}), 60_000)).toMatch(/^outbox 9a8b7c6d: 1200 samples/m)
  })

  it('shows the data disk: free space, the reserve, and samples refused while it was full (issue 14)', () => {
    const disk = { freeBytes: 250_000_000, reserveBytes: 16 * 1024 ** 2, reserveHeld: true, full: false, refused: 0 }
    expect(formatStatus({ ...status({}), disk }, 60_000)).toMatch(/^disk: 250\.0 MB free, reserve of 16\.8 MB held$/m)
    const full = formatStatus(
      { ...status({}), disk: { ...disk, freeBytes: 0, reserveHeld: false, full: true, refused: 4200 } },
      60_000,
    )
    expect(full).toMatch(
      /^disk: 0\.0 MB free, reserve RELEASED; 4200 samples REFUSED \(disk full\) since start — DISK FULL: new samples are refused until space is freed/m,
    )
    expect(formatStatus(status({}), 60_000)).not.toMatch(/^disk:/m)
  })
})
