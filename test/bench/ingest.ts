import path from 'node:path'
import Database from 'better-sqlite3'
import { createEvaluator } from '../../shared/rules/evaluate.ts'
import { openSqliteStore } from '../../cloud/store/sqlite/store.ts'
import { createLogger } from '../../cloud/log.ts'
import { readings } from './outbox.ts'
import { result, type BenchResult } from './table.ts'

/**
 * The cloud's store alone (no MQTT): batches of 1 000 samples over 10 000 points through
 * Store.ingestBatch (the batch row, every sample, each point's latest value, rule evaluation,
 * one synchronous=FULL transaction per batch), against the raw better-sqlite3 insert of the same
 * rows into a table with the same index, in the same run. What the end-to-end figure can reach
 * at most.
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
  const baseline = await timed(seconds, async (seq) => (insertAll(seq, readings(10_000, 1_000, seq, t0)), 1_000))
  raw.close()

  const store = openSqliteStore({
    file: path.join(dir, 'ingest.db'),
    evaluate: createEvaluator(),
    log: createLogger({ level: 'silent' }),
  })
  try {
    const measured = await timed(seconds, async (seq) => {
      const samples = readings(10_000, 1_000, seq, t0)
      await store.ingestBatch(
        { v: 1, edge: 'bench-01', session: 'bench', outbox: 'bench-outbox', seq, floor: seq, samples },
        { site: 'bench', receivedAt: Date.now(), inOrder: true },
      )
      return samples.length
    })
    return [
      result(
        'cloud store ingest, batches of 1 000 (base: raw better-sqlite3 rows, same index)',
        measured,
        'samples/s',
        { baseline },
      ),
    ]
  } finally {
    await store.close()
  }
}

async function timed(seconds: number, step: (seq: number) => Promise<number>): Promise<number> {
  const start = performance.now()
  let samples = 0
  for (let seq = 1; ; seq++) {
    samples += await step(seq)
    const elapsed = (performance.now() - start) / 1000
    if (elapsed >= seconds) return samples / elapsed
  }
}
