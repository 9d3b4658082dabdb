import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import Database from 'better-sqlite3'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { Sample } from '../../shared/wire/sample.ts'
import { openSqliteOutbox } from './sqlite-outbox.ts'

const T0 = 1_700_000_000_000
const s = (point: string, i: number): Sample => ({ point, ts: T0 + i, value: i, quality: 'good' })

describe('outbox payload format', () => {
  let dir: string
  beforeEach(() => void (dir = mkdtempSync(path.join(tmpdir(), 'parklink-payload-'))))
  afterEach(() => rmSync(dir, { recursive: true, force: true }))

  it("stores batches deflated (counted in bytes by their compressed size) and still reads a format-2 file's JSON rows", () => {
    const file = path.join(dir, 'outbox.db')
    let o = openSqliteOutbox({ file })
    const read = Array.from({ length: 500 }, (_, i) => s(`shilian.unit${i % 50}.point${i}`, i))
    o.append(read)
    expect(o.stats().bytes / 500).toBeLessThan(JSON.stringify(read).length / 500 / 3)
    o.close()
    // A row as format 2 wrote it: JSON text, with alarms.
    const db = new Database(file)
    const legacy = { samples: [s('a', 9)], alarms: [{ type: 'raise', point: 'a', kind: 'H', ts: T0 + 9, value: 9 }] }
    db.prepare(
      'INSERT INTO batches (created_at, sample_count, min_ts, max_ts, bytes, payload) VALUES (?, 1, ?, ?, ?, ?)',
    ).run(T0, T0 + 9, T0 + 9, 10, JSON.stringify(legacy))
    db.close()
    o = openSqliteOutbox({ file })
    const [fresh, old] = o.peek(0, 10)
    expect(fresh!.samples).toEqual(read)
    expect(old).toMatchObject({ seq: 2, samples: legacy.samples, alarms: legacy.alarms })
    o.close()
  })
})

describe('the outbox id', () => {
  let dir: string
  beforeEach(() => void (dir = mkdtempSync(path.join(tmpdir(), 'parklink-outbox-id-'))))
  afterEach(() => rmSync(dir, { recursive: true, force: true }))

  it('is given once to a file written before ids existed, which keeps its batches and seqs', () => {
    const file = path.join(dir, 'outbox.db')
    const first = openSqliteOutbox({ file })
    first.append([s('a', 1)])
    first.close()
    const db = new Database(file)
    db.exec('DROP TABLE identity') // as an earlier version left the file
    db.close()
    const upgraded = openSqliteOutbox({ file })
    const id = upgraded.id
    expect(upgraded.peek(0, 10).map((b) => b.seq)).toEqual([1])
    upgraded.close()
    const again = openSqliteOutbox({ file })
    expect(again.id).toBe(id)
    expect(again.append([s('a', 2)])).toBe(2)
    again.close()
  })
})

describe('a damaged outbox file', () => {
  let dir: string
  beforeEach(() => void (dir = mkdtempSync(path.join(tmpdir(), 'parklink-corrupt-'))))
  afterEach(() => rmSync(dir, { recursive: true, force: true }))

  it('is moved aside, reported, and a new outbox starts numbering from firstSeq', () => {
    const file = path.join(dir, 'outbox.db')
    writeFileSync(file, Buffer.alloc(8192, 0x5a)) // not a database: a torn or overwritten file
    const reports: Array<{ movedTo: string; error: string }> = []
    const o = openSqliteOutbox({ file, firstSeq: 1_000, onCorrupt: (c) => reports.push(c) })
    expect(reports).toEqual([
      { movedTo: expect.stringMatching(/outbox\.db\.corrupt-\d+$/), error: expect.stringMatching(/not a database/) },
    ])
    expect(readFileSync(reports[0]!.movedTo)).toEqual(Buffer.alloc(8192, 0x5a))
    expect(o.append([s('a', 1)])).toBe(1_000)
    o.close()
  })

  it('moved aside, it is replaced by an outbox with a new id', () => {
    const file = path.join(dir, 'outbox.db')
    const before = openSqliteOutbox({ file })
    const oldId = before.id
    before.append([s('a', 1)])
    before.close()
    for (const suffix of ['-wal', '-shm']) rmSync(file + suffix, { force: true })
    writeFileSync(file, Buffer.alloc(8192, 0x5a))
    const after = openSqliteOutbox({ file, onCorrupt: () => {} })
    expect(after.id).not.toBe(oldId)
    after.close()
  })

  it('an outbox of a newer format is refused, not moved aside', () => {
    const file = path.join(dir, 'outbox.db')
    const db = new Database(file)
    db.pragma('user_version = 99')
    db.close()
    expect(() =>
      openSqliteOutbox({
        file,
        onCorrupt: () => {
          throw new Error('must not be called')
        },
      }),
    ).toThrow(/format 99/)
    expect(existsSync(file)).toBe(true)
  })
})
