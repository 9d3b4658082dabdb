import { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import postgres from 'postgres'
import { createLogger } from '../../cloud/log.ts'
import { openPostgresStore } from '../../cloud/store/postgres/store.ts'
import { createEvaluator } from '../../shared/rules/evaluate.ts'
import { freshDatabase, startTemplateCluster } from '../util/pg-databases.ts'
import { ingestFor, timedAsync } from './ingest.ts'
import { readings } from './outbox.ts'
import { result, type BenchResult } from './table.ts'

/**
 * The cloud's store alone on PostgreSQL (issue 15): batches of 1 000 samples over 10 000 points
 * through Store.ingestBatch on a throwaway cluster (Debian's postgresql, fsync off as every test
 * cluster here: the figure is the engine's work, not this disk's), against the baseline the
 * issue names: raw COPY of the same rows into an unindexed table of the same database.
 */
export async function benchIngestPostgres(dir: string, seconds: number): Promise<BenchResult[]> {
  const server = await startTemplateCluster()
  try {
    const t0 = Date.UTC(2026, 11, 1)
    const baseline = await rawCopy(server.url, seconds, t0)
    const stored = await storeIngest(server.url, dir, seconds, t0)
    return [
      result(
        'PostgreSQL store ingest, batches of 1 000 (base: raw COPY, unindexed, same cluster)',
        stored,
        'samples/s',
        {
          baseline,
        },
      ),
      result('PostgreSQL store ingest vs raw COPY', stored / baseline, '×', { target: { op: '>=', value: 0.5 } }),
    ]
  } finally {
    await server.stop()
  }
}

async function rawCopy(templateUrl: string, seconds: number, t0: number): Promise<number> {
  const database = await freshDatabase(templateUrl)
  const sql = postgres(database.url, { max: 1, onnotice: () => {} })
  try {
    await sql`create table raw_samples (edge text not null, seq bigint not null, point text not null, ts bigint not null, value double precision, quality text not null)`
    return await timedAsync(seconds, async (seq) => {
      const list = readings(10_000, 1_000, seq, t0)
      const lines = list.map((s) => `bench-01\t${seq}\t${s.point}\t${s.ts}\t${s.value as number}\t${s.quality}\n`)
      const copy = await sql`copy raw_samples (edge, seq, point, ts, value, quality) from stdin`.writable()
      await pipeline(Readable.from(lines), copy)
      return list.length
    })
  } finally {
    await sql.end({ timeout: 5 })
    await database.drop()
  }
}

async function storeIngest(templateUrl: string, dir: string, seconds: number, t0: number): Promise<number> {
  const database = await freshDatabase(templateUrl)
  const store = await openPostgresStore({
    connection: { url: database.url, max: 4 },
    dataDir: dir,
    evaluate: createEvaluator(),
    log: createLogger({ level: 'silent' }),
  })
  try {
    return await ingestFor(store, seconds, t0)
  } finally {
    await store.close()
    await database.drop()
  }
}
