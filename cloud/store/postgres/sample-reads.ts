import { and, asc, eq, gte, inArray, lte } from 'drizzle-orm'
import type { ChunkSample } from '../historian/codec.ts'
import type { OnCorrupt } from '../historian/corrupt.ts'
import {
  type ChunkRow,
  type Enough,
  addBlockSamples,
  addBlockToPoints,
  hourOf,
  inHistorianOrder,
  sealedSamples,
} from '../historian/merge.ts'
import type { StoredSample } from '../repos/telemetry.ts'
import type { PgDb } from './db.ts'
import { sampleBlocks, sampleChunks } from './schema.ts'

/** A page's read fetches chunks this many hours at a time, and stops once it has a page (historian/merge.ts). */
const HOURS_PER_FETCH = 24
const HOUR = 3_600_000

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

  /** Sealed samples of [from, to]; with `enough`, fetched a day of hours at a time until a page is in hand. */
  async function sealed(point: string, from: number, to: number, enough?: Enough): Promise<ChunkSample[]> {
    const collect = sealedSamples(point, from, to, onCorrupt, enough)
    const last = hourOf(to)
    const span = enough ? HOURS_PER_FETCH * HOUR : Number.POSITIVE_INFINITY
    for (let hour = hourOf(from); hour <= last; hour += span) {
      const rows: ChunkRow[] = await chunksOf(point, hour, Math.min(last, hour + span - HOUR))
      if (!rows.every((row) => collect.add(row))) break
    }
    return collect.out
  }

  return {
    /** The point's samples with from ≤ ts ≤ to in the historian's order; with `enough`, older ones only are guaranteed complete. */
    async read(point: string, from: number, to: number, enough?: Enough): Promise<StoredSample[]> {
      const out = await sealed(point, from, to, enough)
      for (const row of await blocksIn(from, to)) addBlockSamples(out, point, row, { from, to }, onCorrupt)
      return inHistorianOrder(out)
    },

    /**
     * The point's samples of [from, to] in the given chunk hours only, in the historian's order:
     * the partial minutes of a rollup answer, one statement for all their hours (rollup-reads.ts).
     */
    async readHours(point: string, hours: readonly number[], from: number, to: number): Promise<StoredSample[]> {
      const collect = sealedSamples(point, from, to, onCorrupt)
      const rows = await db
        .select(chunkColumns)
        .from(sampleChunks)
        .where(and(eq(sampleChunks.point, point), inArray(sampleChunks.hour, [...hours])))
        .orderBy(asc(sampleChunks.hour), asc(sampleChunks.id))
      for (const row of rows) collect.add(row)
      const out = collect.out
      for (const row of await blocksIn(from, to)) addBlockSamples(out, point, row, { from, to }, onCorrupt)
      return inHistorianOrder(out)
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
