import Database from 'better-sqlite3'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { LEVEL, NH3, OUTBOX, T0, batch, good, tempStore } from '../cloud/helpers.ts'
import { checkContent } from './content-check.ts'
import { sqliteStoredReader } from './stored-reader-sqlite.ts'
import type { JournalBatch } from './journal.ts'
import { decodeBlock, encodeBlock } from '../../cloud/store/historian/block.ts'
import { decodeChunk, encodeChunk } from '../../cloud/store/historian/codec.ts'

/**
 * The campaign's verdicts, on a real cloud store: what the edge journalled is compared with what
 * the store kept. Each verdict is produced by tampering with the database as a bug would.
 */
const EDGE = 'shilian-01'
const generated = (seq: number, value: number, outbox = OUTBOX): JournalBatch => ({
  outbox,
  seq,
  samples: [good(LEVEL, T0 + seq, value), good(NH3, T0 + seq, 1)],
  alarms: [],
  events: [],
  at: seq,
})

describe("the fault campaign's content check", () => {
  let ctx: Awaited<ReturnType<typeof tempStore>>
  beforeEach(async () => {
    ctx = await tempStore()
    for (const seq of [1, 2, 3]) {
      const g = generated(seq, seq * 10)
      await ctx.store.ingestBatch(batch(seq, g.samples), { site: 'huaian', receivedAt: T0 + 1_000 })
    }
  })
  afterEach(() => ctx.dispose())
  const tamper = (sql: string) => {
    const db = new Database(ctx.file)
    db.exec(sql)
    db.close()
  }
  /** Rewrites the stored samples of blocks (a bug altering or duplicating what was stored). */
  const tamperBlock = (seq: number, edit: (db: Database.Database, data: Buffer) => void) => {
    const db = new Database(ctx.file)
    const row = db.prepare('SELECT data FROM sample_blocks WHERE seq = ?').get(seq) as { data: Buffer }
    edit(db, row.data)
    db.close()
  }
  const check = (journal: JournalBatch[], held = new Set<string>(), deleted = new Set<string>()) =>
    checkContent(sqliteStoredReader(ctx.file), EDGE, journal, held, deleted)
  const verdicts = async (journal: JournalBatch[], held = new Set<string>(), deleted = new Set<string>()) =>
    (await check(journal, held, deleted)).checks.map((c) => [c.verdict, c.duplicates])

  it('finds every batch stored as generated', async () => {
    expect(await verdicts([1, 2, 3].map((s) => generated(s, s * 10)))).toEqual([
      ['stored', 0],
      ['stored', 0],
      ['stored', 0],
    ])
  })

  it('calls a batch altered when its hash or one of its samples differs, and counts a duplicated row', async () => {
    tamperBlock(2, (db, data) => {
      const points = decodeBlock(data).map((p) =>
        p.point === LEVEL ? { ...p, samples: p.samples.map((x) => ({ ...x, value: 99 })) } : p,
      )
      db.prepare('UPDATE sample_blocks SET data = ? WHERE seq = 2').run(encodeBlock(points))
    })
    tamperBlock(3, (db, data) => {
      const points = decodeBlock(data).filter((p) => p.point === NH3)
      db.prepare(
        'INSERT INTO sample_blocks (edge, outbox, seq, received_at, min_ts, max_ts, count, data) SELECT edge, outbox, seq, received_at, min_ts, max_ts, 1, ? FROM sample_blocks WHERE seq = 3',
      ).run(encodeBlock(points))
    })
    expect(await verdicts([generated(1, 11), generated(2, 20), generated(3, 30)])).toEqual([
      ['altered', 0],
      ['altered', 0],
      ['stored', 1],
    ])
  })

  it('calls a missing batch lost unless a gap record covers it, its deleted outbox file held it and the cloud recorded the replacement, or the edge still holds it', async () => {
    const journal = [
      generated(4, 40),
      generated(5, 50),
      generated(6, 60),
      generated(9, 90, 'old-outbox'),
      generated(8, 80, 'old-outbox'),
      generated(7, 70),
    ]
    const held = new Set([`${OUTBOX}:6`])
    const deleted = new Set(['old-outbox:9'])
    expect(await verdicts(journal, held, deleted)).toEqual([
      ['lost', 0],
      ['lost', 0],
      ['held', 0],
      ['lost', 0],
      ['lost', 0],
      ['lost', 0],
    ])
    tamper(
      `INSERT INTO gaps (edge, from_seq, through_seq, reason, batches, samples, from_ts, to_ts, points, dropped_at, received_at) VALUES ('${EDGE}', 5, 5, 'disk_full', 1, 2, 0, 0, '"all"', 0, 0)`,
    )
    tamper(
      `INSERT INTO outbox_replacements (edge, new_outbox, old_outbox, last_seq, last_ts, seen_at) VALUES ('${EDGE}', '${OUTBOX}', 'old-outbox', 7, 0, 0)`,
    )
    // seq 8 of the old outbox was not in the file when it went: lost, replacement or not.
    expect(await verdicts(journal, held, deleted)).toEqual([
      ['lost', 0],
      ['gap', 0],
      ['held', 0],
      ['gap', 0],
      ['lost', 0],
      ['lost', 0],
    ])
    const c = await check(journal)
    expect(c.diskFullGapSamples).toBe(2)
    expect(c.gapRecords.map((g) => g.reason).sort()).toEqual(['disk_full', 'outbox_replaced'])
  })

  it("reads a compacted batch from its points' chunks: stored as generated, altered when a chunk holds another value", async () => {
    const compacted = await ctx.store.compactSamples(T0 + 2_000)
    expect(compacted.blocks).toBe(3)
    const journal = [1, 2, 3].map((s) => generated(s, s * 10))
    expect(await verdicts(journal)).toEqual([
      ['stored', 0],
      ['stored', 0],
      ['stored', 0],
    ])
    const db = new Database(ctx.file)
    const chunk = db.prepare('SELECT id, data FROM sample_chunks WHERE point = ?').get(LEVEL) as {
      id: number
      data: Buffer
    }
    const samples = decodeChunk(chunk.data).map((x) => (x.ts === T0 + 2 ? { ...x, value: 99 } : x))
    db.prepare('UPDATE sample_chunks SET data = ? WHERE id = ?').run(encodeChunk(samples), chunk.id)
    db.close()
    expect(await verdicts(journal)).toEqual([
      ['stored', 0],
      ['altered', 0],
      ['stored', 0],
    ])
  })

  it('counts stored batches the journal does not have', async () => {
    expect((await check([generated(1, 10)])).unjournaled).toBe(2)
  })
})
