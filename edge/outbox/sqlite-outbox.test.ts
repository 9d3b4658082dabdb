import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import Database from 'better-sqlite3'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { runOutboxConformance } from '../../test/conformance/outbox.suite.ts'
import { ErrorCodes, ParklinkError } from '../../shared/errors.ts'
import { openSqliteOutbox, type Eviction } from './sqlite-outbox.ts'
import { createAtRestCipher } from '../at-rest/cipher.ts'
import { randomBytes } from 'node:crypto'

const file = (dir: string) => path.join(dir, 'outbox.db')

runOutboxConformance({
  name: 'sqlite',
  newOutbox: (dir, o) => openSqliteOutbox({ file: file(dir), ...o }),
  reopen: (dir, o) => openSqliteOutbox({ file: file(dir), ...o }),
})

// The same contract with every payload sealed at rest (storage.encryption, edge/at-rest/).
const cipher = createAtRestCipher([{ id: '0a0b0c0d', secret: randomBytes(32) }], 'test')
runOutboxConformance({
  name: 'sqlite, sealed with SM4 at rest',
  newOutbox: (dir, o) => openSqliteOutbox({ file: file(dir), cipher, ...o }),
  reopen: (dir, o) => openSqliteOutbox({ file: file(dir), cipher, ...o }),
})

describe('sqlite outbox specifics', () => {
  let dir: string
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'parklink-outbox-'))
  })
  afterEach(() => rmSync(dir, { recursive: true, force: true }))

  const sample = (i: number) => ({ point: 'p.1', ts: 1_700_000_000_000 + i, value: i, quality: 'good' as const })

  it('keeps camera events (with their snapshot) with their batch across a restart', () => {
    const event = {
      id: '3f1c2a9e-0000-4000-8000-000000000001',
      camera: 'cam-gate',
      ts: 1_700_000_000_000,
      type: 'raise' as const,
      topic: 'tns1:RuleEngine/FieldDetector/ObjectsInside',
      kind: 'intrusion',
      code: 'RYRQ' as const,
      priority: 'A' as const,
      snapshotError: 'snapshot is not a JPEG: content-type "text/html"',
    }
    const outbox = openSqliteOutbox({ file: file(dir) })
    outbox.append([sample(1)])
    outbox.append([sample(2)], undefined, [event])
    outbox.close()
    const reopened = openSqliteOutbox({ file: file(dir) })
    try {
      const [plain, withEvent] = reopened.peek(0, 10)
      expect(plain!.events).toBeUndefined()
      expect(withEvent).toMatchObject({ samples: [sample(2)], events: [event] })
    } finally {
      reopened.close()
    }
  })

  it('is in WAL mode and readable by another connection while open', () => {
    const outbox = openSqliteOutbox({ file: file(dir) })
    outbox.append([sample(1)])
    const reader = new Database(file(dir), { readonly: true })
    try {
      expect(reader.pragma('journal_mode', { simple: true })).toBe('wal')
      // Tools (and the end-to-end test) read the high-water mark this way.
      expect(reader.prepare('SELECT name, seq FROM sqlite_sequence').all()).toEqual([{ name: 'batches', seq: 1 }])
    } finally {
      reader.close()
      outbox.close()
    }
  })

  it('a new file starts at firstSeq and records it; an existing file keeps its numbering', () => {
    const outbox = openSqliteOutbox({ file: file(dir), firstSeq: 1_763_800_000_000 })
    expect(outbox.floor()).toBe(1_763_800_000_000)
    expect(outbox.append([sample(1)])).toBe(1_763_800_000_000)
    outbox.ackThrough(1_763_800_000_000)
    outbox.close()
    const again = openSqliteOutbox({ file: file(dir), firstSeq: 5 })
    try {
      expect(again.append([sample(2)])).toBe(1_763_800_000_001)
    } finally {
      again.close()
    }
    const reader = new Database(file(dir), { readonly: true })
    expect(reader.prepare("SELECT value FROM meta WHERE key = 'first_seq'").get()).toEqual({ value: 1_763_800_000_000 })
    reader.close()
  })

  it('refuses a firstSeq that is not a positive integer', () => {
    expect(() => openSqliteOutbox({ file: file(dir), firstSeq: 0 })).toThrow(RangeError)
  })

  it('reports each eviction with its seq range and sample count', () => {
    const evictions: Eviction[] = []
    const outbox = openSqliteOutbox({ file: file(dir), maxBytes: 1, onEvict: (e) => evictions.push(e) })
    outbox.append([sample(1), sample(2)])
    outbox.append([sample(3)])
    outbox.append([sample(4)])
    outbox.close()
    expect(evictions).toEqual([
      {
        reason: 'cap',
        fromSeq: 1,
        throughSeq: 1,
        batches: 1,
        samples: 2,
        from: sample(1).ts,
        to: sample(2).ts,
        points: 1,
      },
      {
        reason: 'cap',
        fromSeq: 2,
        throughSeq: 2,
        batches: 1,
        samples: 1,
        from: sample(3).ts,
        to: sample(3).ts,
        points: 1,
      },
    ])
  })

  it('refuses a file written by a newer format, with a code and a hint', () => {
    const db = new Database(file(dir))
    db.pragma('user_version = 99')
    db.close()
    const err = (() => {
      try {
        openSqliteOutbox({ file: file(dir) })
      } catch (e) {
        return e
      }
      return null
    })()
    expect(err).toBeInstanceOf(ParklinkError)
    expect(err).toMatchObject({ code: ErrorCodes.OUTBOX_FAILED, hint: expect.stringMatching(/newer parklink/) })
  })

  it('an unopenable file is OUTBOX_FAILED with a hint about the data directory', () => {
    expect(() => openSqliteOutbox({ file: path.join(dir, 'missing', 'outbox.db') })).toThrow(
      expect.objectContaining({ code: ErrorCodes.OUTBOX_FAILED, hint: expect.stringMatching(/data directory/) }),
    )
  })

  it('rejects a non-positive cap', () => {
    expect(() => openSqliteOutbox({ file: file(dir), maxBytes: 0 })).toThrow(RangeError)
  })
})
