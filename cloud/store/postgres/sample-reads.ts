import { and, asc, eq, gte, inArray, lte, sql } from 'drizzle-orm'
import type { ChunkSample } from '../historian/codec.ts'
import type { OnCorrupt } from '../historian/corrupt.ts'
import {
  type ChunkRow,
  type Enough,
  addBlockSamples,
  addBlockToPoints,
  hourOf,
  inHistorianOrder,
  keptSamples,
  sealedSamples,
} from '../historian/merge.ts'
import type { StoredSample } from '../repos/telemetry.ts'
import type { PgDb } from './db.ts'
import { sampleBlocks, sampleChunks } from './schema.ts'

/**
 * A page's read fetches this many chunks at a time, in (hour, id) order from where the last fetch
 * ended, and stops once it has a page (historian/merge.ts). By rows, not by hours: a range of
 * years with few chunks in it is a few statements, not one per day of it.
 */
const CHUNKS_PER_FETCH = 48

const chunkColumns = {
  id: sampleChunks.id,
  hour: sampleChunks.hour,
  fromTs: sampleChunks.fromTs,
  toTs: sampleChunks.toTs,
  data: sampleChunks.data,
}

/**
 * A point's samples as the historian holds them on PostgreSQL (issue 15): its sealed chunks and
 * the blocks not compacted yet, merged into one order by historian/merge.ts, as SQLite's
 * sample-reads.ts does (by time, ties in arrival order; a part that does not decode is
 * reported and skipped). This module only fetches the rows, in the orders merge.ts expects:
 * chunks by (hour, id), blocks by id.
 */
export function pgSampleReader(db: PgDb, onCorrupt: OnCorrupt) {
  const chunksOf = (point: string, fromHour: number, toHour: number) =>
    db
      .select(chunkColumns)
      .from(sampleChunks)
      .where(and(eq(sampleChunks.point, point), gte(sampleChunks.hour, fromHour), lte(sampleChunks.hour, toHour)))
      .orderBy(asc(sampleChunks.hour), asc(sampleChunks.id))

  const blocksIn = (from: number, to: number) =>
    db
      .select({ id: sampleBlocks.id, minTs: sampleBlocks.minTs, maxTs: sampleBlocks.maxTs, data: sampleBlocks.data })
      .from(sampleBlocks)
      .where(and(gte(sampleBlocks.maxTs, from), lte(sampleBlocks.minTs, to)))
      .orderBy(asc(sampleBlocks.id))

  /** The point's next chunks of hours ≤ last after the chunk (hour, id) in (hour, id) order. */
  const chunksAfter = (point: string, after: { hour: number; id: number }, last: number) =>
    db
      .select(chunkColumns)
      .from(sampleChunks)
      .where(
        and(
          eq(sampleChunks.point, point),
          gte(sampleChunks.hour, after.hour), // the index's lower bound; the row comparison below is exact
          lte(sampleChunks.hour, last),
          sql`(${sampleChunks.hour}, ${sampleChunks.id}) > (${after.hour}, ${after.id})`,
        ),
      )
      .orderBy(asc(sampleChunks.hour), asc(sampleChunks.id))
      .limit(CHUNKS_PER_FETCH)

  /** Sealed samples of [from, to]; with `enough`, fetched CHUNKS_PER_FETCH chunks at a time until a page is in hand. */
  async function sealed(point: string, from: number, to: number, enough?: Enough): Promise<ChunkSample[]> {
    const collect = sealedSamples(point, from, to, onCorrupt, enough)
    const last = hourOf(to)
    if (!enough) {
      for (const row of await chunksOf(point, hourOf(from), last)) collect.add(row)
      return collect.out
    }
    let after = { hour: hourOf(from) - 1, id: 0 }
    for (;;) {
      const rows: ChunkRow[] = await chunksAfter(point, after, last)
      if (!rows.every((row) => collect.add(row)) || rows.length < CHUNKS_PER_FETCH) return collect.out
      after = rows.at(-1)!
    }
  }

  return {
    /** The point's samples with from ≤ ts ≤ to in the historian's order; with `enough`, older ones only are guaranteed complete. */
    async read(point: string, from: number, to: number, enough?: Enough): Promise<StoredSample[]> {
      const out = await sealed(point, from, to, enough)
      for (const row of await blocksIn(from, to)) addBlockSamples(out, point, row, { from, to }, onCorrupt)
      return inHistorianOrder(out)
    },

    /**
     * The point's samples of [from, to] in the given chunk hours only, and only those `keep`
     * keeps, in the historian's order: the partial minutes of a rollup answer, one statement for
     * all their hours (rollup-reads.ts), no sample made of the rest of those hours (merge.ts).
     */
    async readHours(
      point: string,
      hours: readonly number[],
      range: { from: number; to: number; keep: (ts: number) => boolean },
    ): Promise<StoredSample[]> {
      const rows = await db
        .select(chunkColumns)
        .from(sampleChunks)
        .where(and(eq(sampleChunks.point, point), inArray(sampleChunks.hour, [...hours])))
        .orderBy(asc(sampleChunks.hour), asc(sampleChunks.id))
      return keptSamples(point, range, rows, await blocksIn(range.from, range.to), onCorrupt)
    },

    /** As read, for many points at once: one chunk query for all of them, each block decoded once. */
    async readPoints(points: readonly string[], from: number, to: number): Promise<Map<string, StoredSample[]>> {
      const collectors = new Map(points.map((p) => [p, sealedSamples(p, from, to, onCorrupt)]))
      if (points.length > 0) {
        const rows = await db
          .select({ point: sampleChunks.point, ...chunkColumns })
          .from(sampleChunks)
          .where(
            and(
              inArray(sampleChunks.point, [...points]),
              gte(sampleChunks.hour, hourOf(from)),
              lte(sampleChunks.hour, hourOf(to)),
            ),
          )
          .orderBy(asc(sampleChunks.point), asc(sampleChunks.hour), asc(sampleChunks.id))
        for (const row of rows) collectors.get(row.point)?.add(row)
      }
      const out = new Map([...collectors].map(([p, c]) => [p, c.out as StoredSample[]]))
      for (const row of await blocksIn(from, to)) addBlockToPoints(out, row, { from, to }, onCorrupt)
      for (const list of out.values()) inHistorianOrder(list)
      return out
    },
  }
}

export type PgSampleReader = ReturnType<typeof pgSampleReader>
