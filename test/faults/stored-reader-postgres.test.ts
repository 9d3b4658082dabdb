import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { batchContentHash } from '../../cloud/store/content-hash.ts'
import { openPostgres, type PgDb } from '../../cloud/store/postgres/db.ts'
import { writeBlock } from '../../cloud/store/postgres/sample-blocks.ts'
import { alarms, batches, gaps, outboxReplacements, points, sampleChunks } from '../../cloud/store/postgres/schema.ts'
import { encodeChunk } from '../../cloud/store/historian/codec.ts'
import { CHUNK_WIDTH_MS } from '../../cloud/store/historian/compact.ts'
import type { Sample } from '../../shared/wire/sample.ts'
import { LEVEL, NH3, OUTBOX, T0, good } from '../cloud/helpers.ts'
import { startPostgres, type TestPostgres } from '../util/postgres.ts'
import { checkContent } from './content-check.ts'
import type { JournalBatch } from './journal.ts'
import { edgeSamples, type StoredBatchesReader } from './stored-reader.ts'
import { postgresStoredReader } from './stored-reader-postgres.ts'

/**
 * The campaign's reader on PostgreSQL, on a throwaway cluster: rows written as the PostgreSQL
 * engine writes them (its block writer, drizzle inserts; a compacted chunk made with the
 * historian codec) read back, and the campaign's verdicts on them.
 */
const EDGE = 'shilian-01'
const HOUR = T0 - (T0 % CHUNK_WIDTH_MS)
const samplesOf = (seq: number, value: number): Sample[] => [
  good(LEVEL, T0 + seq, value),
  { point: NH3, ts: T0 + seq, value: 'ok', quality: 'uncertain', reason: 'clock_skew:ahead' },
]
const generated = (seq: number, value: number): JournalBatch => ({
  outbox: OUTBOX,
  seq,
  samples: samplesOf(seq, value),
  alarms: [],
  events: [],
  at: seq,
})
const hashOf = (b: JournalBatch) => batchContentHash({ samples: b.samples, alarms: [], events: [] })

let server: TestPostgres
let db: PgDb
let reader: StoredBatchesReader

/** Batches 1 and 2 as blocks (2 twice: a duplicated block), 3 compacted into chunks, a disk_full gap at 5, a replaced outbox, an active CLOCK alarm. */
async function seed(q: PgDb): Promise<void> {
  await q.insert(points).values([
    { id: LEVEL, edge: EDGE },
    { id: NH3, edge: EDGE },
    { id: 'other.point', edge: 'other-edge' },
  ])
  for (const seq of [1, 2, 3]) {
    const b = generated(seq, seq * 10)
    await q.insert(batches).values({
      edge: EDGE,
      outbox: OUTBOX,
      seq,
      session: 's-1',
      hash: hashOf(b),
      floor: 1,
      receivedAt: T0 + 1_000,
      sampleCount: 2,
    })
    if (seq < 3) await writeBlock(q, { edge: EDGE, outbox: OUTBOX, seq, receivedAt: T0 + 1_000 }, b.samples)
  }
  await writeBlock(q, { edge: EDGE, outbox: OUTBOX, seq: 2, receivedAt: T0 + 1_000 }, [samplesOf(2, 20)[0]!])
  for (const [i, s] of samplesOf(3, 30).entries()) {
    // A chunk also holds another batch's sample (seq 9 at T0 + 9) that batch 3 must not take.
    const data = encodeChunk([
      { ts: s.ts, value: s.value, quality: s.quality, ...(s.reason ? { reason: s.reason } : {}) },
      { ts: T0 + 9, value: i, quality: 'good' },
    ])
    await q.insert(sampleChunks).values({
      point: s.point,
      hour: HOUR,
      fromTs: s.ts,
      toTs: T0 + 9,
      count: 2,
      data: Buffer.from(data.buffer, data.byteOffset, data.byteLength),
      receivedAt: T0 + 1_000,
    })
  }
  await q.insert(gaps).values({
    edge: EDGE,
    fromSeq: 5,
    throughSeq: 5,
    reason: 'disk_full',
    batches: 1,
    samples: 2,
    fromTs: T0 + 5,
    toTs: T0 + 5,
    points: 'all',
    droppedAt: T0 + 5,
    receivedAt: T0 + 2_000,
  })
  await q
    .insert(outboxReplacements)
    .values({ edge: EDGE, newOutbox: OUTBOX, oldOutbox: 'old-outbox', lastSeq: 7, lastTs: T0, seenAt: T0 + 3_000 })
  await q.insert(alarms).values({
    point: `edge:${EDGE}`,
    kind: 'CLOCK',
    priority: 'low',
    raisedAt: T0,
    value: 600_000,
    limit: 300_000,
  })
}

beforeAll(async () => {
  server = await startPostgres()
  db = await openPostgres({ url: server.url, max: 2 })
  await seed(db)
  reader = postgresStoredReader(server.url)
}, 120_000)

afterAll(async () => {
  await reader?.close()
  await db?.$client.end({ timeout: 5 })
  await server?.stop()
})

describe('the stored batches reader on PostgreSQL', () => {
  it("reads an edge's batch keys and hashes, gap records and outbox replacements", async () => {
    expect((await reader.batches(EDGE)).sort((a, b) => a.seq - b.seq)).toEqual(
      [1, 2, 3].map((seq) => ({ outbox: OUTBOX, seq, hash: hashOf(generated(seq, seq * 10)) })),
    )
    expect(await reader.batches('other-edge')).toEqual([])
    expect(await reader.gaps(EDGE)).toEqual([
      { fromSeq: 5, throughSeq: 5, reason: 'disk_full', samples: 2, fromTs: T0 + 5, receivedAt: T0 + 2_000 },
    ])
    expect(await reader.outboxReplacements(EDGE)).toEqual([{ oldOutbox: 'old-outbox', seenAt: T0 + 3_000 }])
    expect(await reader.alarmActive(`edge:${EDGE}`, 'CLOCK')).toBe(true)
    expect(await reader.alarmActive(`edge:${EDGE}`, 'COMM')).toBe(false)
    expect((await reader.edgePoints(EDGE)).sort()).toEqual([NH3, LEVEL].sort())
  })

  it('decodes the bytea blocks and chunks with the historian codec', async () => {
    const blocks = await reader.blockSamplesBySeq(EDGE)
    expect([...blocks.keys()].sort()).toEqual([1, 2])
    expect(blocks.get(1)).toEqual(samplesOf(1, 10))
    expect(blocks.get(2)).toEqual([...samplesOf(2, 20), samplesOf(2, 20)[0]])
    expect(await reader.chunkSamples(NH3, T0 + 3, T0 + 3)).toEqual([samplesOf(3, 30)[1]])
    expect(await reader.chunkSamples(LEVEL, T0, T0 + CHUNK_WIDTH_MS)).toEqual([
      samplesOf(3, 30)[0],
      good(LEVEL, T0 + 9, 0),
    ])
    // 5 samples in the three blocks, 2 in each of the two chunks.
    expect(await edgeSamples(reader, EDGE)).toHaveLength(5 + 2 * 2)
  })

  it("gives the campaign's verdicts: stored (block or chunk), duplicated, altered, in a gap, lost", async () => {
    const journal = [generated(1, 10), generated(2, 20), generated(3, 31), generated(5, 50), generated(6, 60)]
    const c = await checkContent(reader, EDGE, journal, new Set())
    expect(c.checks.map((x) => [x.batch.seq, x.verdict, x.duplicates])).toEqual([
      [1, 'stored', 0],
      [2, 'stored', 1],
      [3, 'altered', 0],
      [5, 'gap', 0],
      [6, 'lost', 0],
    ])
    expect(c.diskFullGapSamples).toBe(2)
    expect(c.gapRecords.map((g) => g.reason).sort()).toEqual(['disk_full', 'outbox_replaced'])
    expect((await checkContent(reader, EDGE, [generated(3, 30)], new Set())).checks[0]?.verdict).toBe('stored')
  })
})
