import path from 'node:path'
import Database from 'better-sqlite3'
import { decodeChunk, encodeChunk, type ChunkSample } from '../../cloud/store/historian/codec.ts'
import { coarsen, ROLLUP_WIDTHS, rollupSamples, type Rollup } from '../../cloud/store/historian/rollup.ts'
import { toStoredSample } from '../../cloud/store/sqlite/values.ts'
import { DEMO_SCENARIO } from '../../deploy/demo/scenario.ts'
import { openPark, STEP_MS, step } from '../sim/demo-run.ts'
import { result, type BenchResult } from './table.ts'

const HOUR = ROLLUP_WIDTHS['1h']

/**
 * (15) Historian storage on the demo's signals: `parklink demo`'s park run for `minutes` on a
 * fake clock through the real edges and the real cloud store (test/sim/demo-run.ts), then the
 * samples the store kept measured two ways in the same run: today's row per sample (the `samples`
 * table and its (point, ts) index, from SQLite's dbstat after VACUUM) against the historian's
 * layout, one chunk per point and hour (cloud/store/historian/codec.ts) plus its 1-min and 1-h
 * rollups, in a SQLite table with its index. Every chunk is decoded and compared before the
 * figures count. Also the codec's speed on the same samples.
 */
export async function benchHistorianSize(dir: string, minutes: number): Promise<BenchResult[]> {
  const park = await openPark(path.join(dir, 'historian'), DEMO_SCENARIO)
  for (let t = 0; t <= minutes * 60_000; t += STEP_MS) await step(park, t)
  for (const { edge } of park.edges) edge.close()
  await park.store.close()

  const db = new Database(path.join(dir, 'historian', 'cloud.db'))
  db.exec('VACUUM')
  const rowBytes = tableBytes(db, ['samples', 'samples_point_ts'])
  const byPoint = samplesByPoint(db)
  db.close()
  const count = [...byPoint.values()].reduce((n, s) => n + s.length, 0)

  const chunked = new Database(path.join(dir, 'historian', 'chunks.db'))
  const { encodeMs, decodeMs } = writeChunks(chunked, byPoint)
  writeRollups(chunked, byPoint)
  chunked.exec('VACUUM')
  const chunkBytes = tableBytes(chunked, ['sample_chunks', 'sample_chunks_point_end', 'rollups'])
  chunked.close()

  const what = `${byPoint.size} demo points, ${minutes} min, ${count} samples`
  return [
    result(`store bytes per sample, row per sample (${what})`, rowBytes / count, 'B'),
    result(`store bytes per sample, historian chunks + rollups (${what})`, chunkBytes / count, 'B', {
      baseline: rowBytes / count,
    }),
    result('historian size vs row per sample', (chunkBytes / rowBytes) * 100, '% of rows', {
      target: { op: '<=', value: 10 },
    }),
    result('historian chunk encode', count / (encodeMs / 1000), 'samples/s'),
    result('historian chunk decode', count / (decodeMs / 1000), 'samples/s'),
  ]
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
