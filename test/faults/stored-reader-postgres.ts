import { and, asc, count, eq, gte, lte } from 'drizzle-orm'
import { drizzle } from 'drizzle-orm/postgres-js'
import postgres from 'postgres'
import {
  alarms,
  batches,
  gaps,
  outboxReplacements,
  points,
  sampleBlocks,
  sampleChunks,
} from '../../cloud/store/postgres/schema.ts'
import { chunkHours, chunkRows, groupBlocksBySeq } from '../util/stored-samples.ts'
import type { StoredBatchesReader } from './stored-reader.ts'

/**
 * The stored batches reader on the cloud's PostgreSQL database: the same tables as on SQLite,
 * read through the engine's drizzle schema (cloud/store/postgres/schema.ts), so a renamed column
 * fails to compile here instead of misjudging a run. Historian blocks and chunks are `bytea`,
 * decoded by the same historian codec as SQLite's BLOBs (the engines store the same bytes).
 * One small pool for the campaign; postgres.js reconnects by itself after the database restarts.
 */
export function postgresStoredReader(url: string): StoredBatchesReader {
  const client = postgres(url, { max: 2, connect_timeout: 10, onnotice: () => {} })
  const db = drizzle({ client })
  return {
    batches: (edge) =>
      db
        .select({ outbox: batches.outbox, seq: batches.seq, hash: batches.hash })
        .from(batches)
        .where(eq(batches.edge, edge)),
    blockSamplesBySeq: async (edge) =>
      groupBlocksBySeq(
        await db
          .select({ seq: sampleBlocks.seq, data: sampleBlocks.data })
          .from(sampleBlocks)
          .where(eq(sampleBlocks.edge, edge))
          .orderBy(asc(sampleBlocks.id)),
      ),
    chunkSamples: async (point, from, to) => {
      const [first, last] = chunkHours(from, to)
      const rows = await db
        .select({ data: sampleChunks.data })
        .from(sampleChunks)
        .where(and(eq(sampleChunks.point, point), gte(sampleChunks.hour, first), lte(sampleChunks.hour, last)))
        .orderBy(asc(sampleChunks.hour), asc(sampleChunks.id))
      return chunkRows(
        point,
        rows.map((r) => r.data),
        from,
        to,
      )
    },
    gaps: (edge) =>
      db
        .select({
          fromSeq: gaps.fromSeq,
          throughSeq: gaps.throughSeq,
          reason: gaps.reason,
          samples: gaps.samples,
          fromTs: gaps.fromTs,
          receivedAt: gaps.receivedAt,
        })
        .from(gaps)
        .where(eq(gaps.edge, edge)),
    outboxReplacements: (edge) =>
      db
        .select({ oldOutbox: outboxReplacements.oldOutbox, seenAt: outboxReplacements.seenAt })
        .from(outboxReplacements)
        .where(eq(outboxReplacements.edge, edge)),
    alarmActive: async (point, kind) => {
      const [row] = await db
        .select({ n: count() })
        .from(alarms)
        .where(and(eq(alarms.point, point), eq(alarms.kind, kind), eq(alarms.state, 'active')))
      return (row?.n ?? 0) > 0
    },
    edgePoints: async (edge) =>
      (await db.select({ id: points.id }).from(points).where(eq(points.edge, edge))).map((p) => p.id),
    close: () => client.end({ timeout: 5 }),
  }
}
