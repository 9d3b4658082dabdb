import path from 'node:path'
import Database from 'better-sqlite3'
import { createEvaluator } from '../../shared/rules/evaluate.ts'
import { openSqliteStore } from '../../cloud/store/sqlite/store.ts'
import type { Store } from '../../cloud/store/store.ts'
import type { Db } from '../../cloud/store/sqlite/db.ts'
import type { SampleWriter } from '../../cloud/store/sqlite/sample-blocks.ts'
import { encodeValue } from '../../cloud/store/sqlite/values.ts'
import { createLogger } from '../../cloud/log.ts'
import { readings } from './outbox.ts'
import { result, type BenchResult } from './table.ts'

/**
 * The cloud's store alone (no MQTT): batches of 1 000 samples over 10 000 points through
 * Store.ingestBatch (the batch row, its samples, each point's latest value, rule evaluation,
 * one synchronous=FULL transaction per batch), three ways in the same run (issue 15):
 * - the store as it is: a batch's samples are ONE historian block row;
 * - the row-per-sample store: the same store with the samples written as before the historian,
 *   one prepared INSERT per sample into `samples` and its (point, ts) index (rowPerSample below,
 *   injected through the store's sampleWriter option: everything else is the same code);
 * - raw better-sqlite3 inserts of the same rows into a table with the same index.
 * What the end-to-end figure can reach at most.
 */
export async function benchIngest(dir: string, seconds: number): Promise<BenchResult[]> {
  const t0 = Date.UTC(2026, 11, 1)
  const raw = new Database(path.join(dir, 'raw-ingest.db'))
  raw.pragma('journal_mode = WAL')
  raw.pragma('synchronous = FULL')
  raw.exec(
    'CREATE TABLE samples (edge TEXT NOT NULL, seq INTEGER NOT NULL, point TEXT NOT NULL, ts INTEGER NOT NULL, value REAL, quality TEXT NOT NULL); CREATE INDEX samples_point_ts ON samples (point, ts)',
  )
  const insert = raw.prepare('INSERT INTO samples (edge, seq, point, ts, value, quality) VALUES (?, ?, ?, ?, ?, ?)')
  const insertAll = raw.transaction((seq: number, list: ReturnType<typeof readings>) => {
    for (const s of list) insert.run('bench-01', seq, s.point, s.ts, s.value as number, s.quality)
  })
  const baseline = await timedAsync(seconds, async (seq) => (insertAll(seq, readings(10_000, 1_000, seq, t0)), 1_000))
  raw.close()

  const rows = await storeIngest(path.join(dir, 'ingest-rows.db'), seconds, t0, rowPerSample)
  const blocks = await storeIngest(path.join(dir, 'ingest.db'), seconds, t0)
  return [
    result(
      'cloud store ingest, historian blocks, batches of 1 000 (base: the row-per-sample store, same run)',
      blocks,
      'samples/s',
      { baseline: rows },
    ),
    result('cloud store ingest vs row-per-sample store', blocks / rows, '×', { target: { op: '>=', value: 5 } }),
    result('cloud store ingest, historian blocks (base: raw better-sqlite3 rows, same index)', blocks, 'samples/s', {
      baseline,
    }),
    result('cloud store ingest vs raw better-sqlite3 rows', blocks / baseline, '×', {
      target: { op: '>=', value: 0.5 },
    }),
    result('row-per-sample store ingest (base: raw better-sqlite3 rows)', rows, 'samples/s', { baseline }),
  ]
}

/** The layout before the historian: one prepared INSERT per sample into `samples` (still in the schema, empty). */
function rowPerSample(db: Db): SampleWriter {
  const insert = db.$client.prepare(
    'INSERT INTO samples (edge, seq, point, ts, value, value_text, quality, reason) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
  )
  return {
    write(key, samples) {
      for (const s of samples) {
        const v = encodeValue(s.value)
        insert.run(key.edge, key.seq, s.point, s.ts, v.value, v.text, s.quality, s.reason ?? null)
      }
    },
  }
}

async function storeIngest(
  file: string,
  seconds: number,
  t0: number,
  sampleWriter?: (db: Db) => SampleWriter,
): Promise<number> {
  const store = openSqliteStore({
    file,
    evaluate: createEvaluator(),
    log: createLogger({ level: 'silent' }),
    ...(sampleWriter ? { sampleWriter } : {}),
  })
  try {
    return await ingestFor(store, seconds, t0)
  } finally {
    await store.close()
  }
}

/** Batches of 1 000 samples over 10 000 points through `store.ingestBatch` for about `seconds`; samples/s. Either engine. */
export function ingestFor(store: Pick<Store, 'ingestBatch'>, seconds: number, t0: number): Promise<number> {
  return timedAsync(seconds, async (seq) => {
    const samples = readings(10_000, 1_000, seq, t0)
    await store.ingestBatch(
      { v: 1, edge: 'bench-01', session: 'bench', outbox: 'bench-outbox', seq, floor: seq, samples },
      { site: 'bench', receivedAt: Date.now(), inOrder: true },
    )
    return samples.length
  })
}

/** Runs `step` for about `seconds` (seq 1, 2, …); samples/s. */
export async function timedAsync(seconds: number, step: (seq: number) => Promise<number>): Promise<number> {
  const start = performance.now()
  let samples = 0
  for (let seq = 1; ; seq++) {
    samples += await step(seq)
    const elapsed = (performance.now() - start) / 1000
    if (elapsed >= seconds) return samples / elapsed
  }
}
