import path from 'node:path'
import Database from 'better-sqlite3'
import { decodeChunk, encodeChunk, type ChunkSample } from '../../cloud/store/historian/codec.ts'
import { coarsen, ROLLUP_WIDTHS, rollupSamples, type Rollup } from '../../cloud/store/historian/rollup.ts'
import { decodeBlock } from '../../cloud/store/historian/block.ts'
import { openSqliteStore } from '../../cloud/store/sqlite/store.ts'
import { encodeValue, toStoredSample } from '../../cloud/store/sqlite/values.ts'
import { createEvaluator } from '../../shared/rules/evaluate.ts'
import { createLogger } from '../../cloud/log.ts'
import { DEMO_SCENARIO } from '../../deploy/demo/scenario.ts'
import { openPark, STEP_MS, step } from '../sim/demo-run.ts'
import { result, type BenchResult } from './table.ts'

const HOUR = ROLLUP_WIDTHS['1h']

/**
 * (15) Historian storage on the demo's signals: `parklink demo`'s park run for `minutes` on a
 * fake clock through the real edges and the real cloud store (test/sim/demo-run.ts), then the
 * samples the store kept measured two ways in the same run (SQLite's dbstat after VACUUM):
 * - the row-per-sample layout before the historian: the same samples, one row each in the old
 *   `samples` table with its (point, ts) index (rows.db, built from the store's blocks);
 * - the real store after its compaction: sample_chunks (one per point and hour) and what is left
 *   of sample_blocks, with their indexes. Its history must give back every row's sample.
 * Also a model of the 1-min and 1-h rollups (another table), and the codec's speed on the samples.
 */
export async function benchHistorianSize(dir: string, minutes: number): Promise<BenchResult[]> {
  const base = path.join(dir, 'historian')
  const park = await openPark(base, DEMO_SCENARIO)
  for (let t = 0; t <= minutes * 60_000; t += STEP_MS) await step(park, t)
  for (const { edge } of park.edges) edge.close()
  await park.store.close()

  const storeFile = path.join(base, 'cloud.db')
  const rows = new Database(path.join(base, 'rows.db'))
  writeRowLayout(storeFile, rows)
  rows.exec('VACUUM')
  const rowBytes = tableBytes(rows, ['samples', 'samples_point_ts'])
  const byPoint = samplesByPoint(rows)
  rows.close()
  const count = [...byPoint.values()].reduce((n, s) => n + s.length, 0)

  await compactAndCheck(storeFile, byPoint)
  const store = new Database(storeFile)
  store.exec('VACUUM')
  const historianBytes = tableBytes(store, [
    'sample_chunks',
    'sample_chunks_point_hour',
    'sample_blocks',
    'sample_blocks_edge_seq',
    'sample_blocks_received',
  ])
  store.close()

  const model = new Database(path.join(base, 'chunks.db'))
  const { encodeMs, decodeMs } = writeChunks(model, byPoint)
  writeRollups(model, byPoint)
  model.exec('VACUUM')
  const rollupBytes = tableBytes(model, ['rollups'])
  model.close()

  const what = `${byPoint.size} demo points, ${minutes} min, ${count} samples`
  return [
    result(`store bytes per sample, row per sample (${what})`, rowBytes / count, 'B'),
    result(`store bytes per sample, historian after compaction (${what})`, historianBytes / count, 'B', {
      baseline: rowBytes / count,
    }),
    result('historian size vs row per sample', (historianBytes / rowBytes) * 100, '% of rows', {
      target: { op: '<=', value: 10 },
    }),
    result(`1-min + 1-h rollups (model) bytes per sample (${what})`, rollupBytes / count, 'B'),
    result('historian chunk encode', count / (encodeMs / 1000), 'samples/s'),
    result('historian chunk decode', count / (decodeMs / 1000), 'samples/s'),
  ]
}

/** The store's samples (its blocks, before compaction) as the row-per-sample store kept them. */
function writeRowLayout(storeFile: string, rows: Database.Database): void {
  rows.exec(`CREATE TABLE samples (edge TEXT NOT NULL, seq INTEGER NOT NULL, point TEXT NOT NULL, ts INTEGER NOT NULL,
    value REAL, value_text TEXT, quality TEXT NOT NULL, reason TEXT);
    CREATE INDEX samples_point_ts ON samples (point, ts);`)
  const insert = rows.prepare('INSERT INTO samples VALUES (?, ?, ?, ?, ?, ?, ?, ?)')
  const store = new Database(storeFile, { readonly: true })
  const blocks = store.prepare('SELECT edge, seq, data FROM sample_blocks ORDER BY id').all() as Array<{
    edge: string
    seq: number
    data: Buffer
  }>
  store.close()
  rows.transaction(() => {
    for (const b of blocks)
      for (const { point, samples } of decodeBlock(b.data))
        for (const s of samples) {
          const v = encodeValue(s.value)
          insert.run(b.edge, b.seq, point, s.ts, v.value, v.text, s.quality, s.reason ?? null)
        }
  })()
}

/** The real store's compaction, then every point's history checked against the rows. */
async function compactAndCheck(storeFile: string, byPoint: Map<string, ChunkSample[]>): Promise<void> {
  const store = openSqliteStore({
    file: storeFile,
    evaluate: createEvaluator(),
    log: createLogger({ level: 'silent' }),
  })
  try {
    await store.compactSamples(Number.MAX_SAFE_INTEGER)
    for (const [point, samples] of byPoint) {
      const page = await store.historyPage(
        point,
        { from: Number.MIN_SAFE_INTEGER, to: Number.MAX_SAFE_INTEGER, limit: samples.length + 1 },
        'all',
      )
      if (JSON.stringify(page.samples) !== JSON.stringify(samples))
        throw new Error(`the store's history of ${point} differs from its rows`)
    }
  } finally {
    await store.close()
  }
}

function tableBytes(db: Database.Database, names: readonly string[]): number {
  const rows = db.prepare('SELECT name, SUM(pgsize) AS bytes FROM dbstat GROUP BY name').all() as Array<{
    name: string
    bytes: number
  }>
  const missing = names.filter((n) => !rows.some((r) => r.name === n))
  if (missing.length > 0) throw new Error(`no such table or index: ${missing.join(', ')}`)
  return rows.filter((r) => names.includes(r.name)).reduce((n, r) => n + r.bytes, 0)
}

function samplesByPoint(db: Database.Database): Map<string, ChunkSample[]> {
  const out = new Map<string, ChunkSample[]>()
  const rows = db
    .prepare('SELECT point, ts, value, value_text AS text, quality, reason FROM samples ORDER BY point, ts, rowid')
    .iterate() as IterableIterator<{
    point: string
    ts: number
    value: number | null
    text: string | null
    quality: string
    reason: string | null
  }>
  for (const row of rows) {
    const list = out.get(row.point) ?? []
    list.push(toStoredSample(row))
    out.set(row.point, list)
  }
  return out
}

function hourly(samples: readonly ChunkSample[]): ChunkSample[][] {
  const hours = new Map<number, ChunkSample[]>()
  for (const s of samples) {
    const start = s.ts - (s.ts % HOUR)
    const list = hours.get(start) ?? []
    list.push(s)
    hours.set(start, list)
  }
  return [...hours.values()]
}

function writeChunks(db: Database.Database, byPoint: Map<string, ChunkSample[]>) {
  db.exec(`CREATE TABLE sample_chunks (point TEXT NOT NULL, start_ts INTEGER NOT NULL, end_ts INTEGER NOT NULL,
    count INTEGER NOT NULL, data BLOB NOT NULL);
    CREATE INDEX sample_chunks_point_end ON sample_chunks (point, end_ts, start_ts);`)
  const insert = db.prepare('INSERT INTO sample_chunks VALUES (?, ?, ?, ?, ?)')
  const encoded: Array<{ samples: ChunkSample[]; bytes: Uint8Array }> = []
  let started = performance.now()
  for (const samples of byPoint.values())
    for (const hour of hourly(samples)) encoded.push({ samples: hour, bytes: encodeChunk(hour) })
  const encodeMs = performance.now() - started
  started = performance.now()
  const decoded = encoded.map((e) => decodeChunk(e.bytes))
  const decodeMs = performance.now() - started
  encoded.forEach((e, i) => {
    if (JSON.stringify(decoded[i]) !== JSON.stringify(e.samples)) throw new Error('a chunk decoded differently')
  })
  db.transaction(() => {
    for (const [point, samples] of byPoint)
      for (const hour of hourly(samples)) {
        const ts = hour.map((s) => s.ts)
        insert.run(point, Math.min(...ts), Math.max(...ts), hour.length, encodeChunk(hour))
      }
  })()
  return { encodeMs, decodeMs }
}

function writeRollups(db: Database.Database, byPoint: Map<string, ChunkSample[]>): void {
  db.exec(`CREATE TABLE rollups (point TEXT NOT NULL, width INTEGER NOT NULL, start_ts INTEGER NOT NULL,
    count INTEGER NOT NULL, sum REAL NOT NULL, min REAL, max REAL, last REAL, last_ts INTEGER, not_good INTEGER NOT NULL,
    PRIMARY KEY (point, width, start_ts)) WITHOUT ROWID`)
  const insert = db.prepare('INSERT INTO rollups VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)')
  const put = (point: string, width: number, r: Rollup) =>
    insert.run(
      point,
      width,
      r.start,
      r.count,
      r.sum,
      r.count > 0 ? r.min : null,
      r.count > 0 ? r.max : null,
      r.count > 0 ? r.last : null,
      r.count > 0 ? r.lastTs : null,
      r.notGood,
    )
  db.transaction(() => {
    for (const [point, samples] of byPoint) {
      const minutes = rollupSamples(samples, ROLLUP_WIDTHS['1m'])
      for (const r of minutes) put(point, ROLLUP_WIDTHS['1m'], r)
      for (const r of coarsen(minutes, HOUR)) put(point, HOUR, r)
    }
  })()
}
