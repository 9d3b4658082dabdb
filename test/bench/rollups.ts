import path from 'node:path'
import { ROLLUP_WIDTHS, rollupSamples, type Rollup } from '../../cloud/store/historian/rollup.ts'
import { openDatabase } from '../../cloud/store/sqlite/db.ts'
import { createBlockWriter } from '../../cloud/store/sqlite/sample-blocks.ts'
import { createCompaction } from '../../cloud/store/sqlite/compaction.ts'
import { createSampleReader } from '../../cloud/store/sqlite/sample-reads.ts'
import { createHistoryOps } from '../../cloud/store/sqlite/history.ts'
import { fillBuckets, planBuckets, type BucketPlan } from '../../cloud/telemetry/buckets.ts'
import { result, type BenchResult } from './table.ts'

const MIN = ROLLUP_WIDTHS['1m']
const HOUR = ROLLUP_WIDTHS['1h']
const DAY = 24 * HOUR
const RAW_EVERY_MS = 5_000

/**
 * (15) History over a park's lifetime from the rollups: a synthetic set of `points` points with
 * 3 years of 1-h rollups and 30 days of 1-min rollups written into the real SQLite schema, plus
 * one point with 30 days of raw samples (one every 5 s) whose rollups are made from them. Timed
 * through the store's history path (cloud/store/sqlite/history.ts): `step=1d` over 3 years (from
 * on the hour, and from anywhere as the API's `now - 3 years` is), and 30 days into 1 000 buckets
 * (the dashboard's trend), against the raw path on the same 30 days (the same answer, checked).
 */
export function benchRollups(dir: string, o: { points: number; runs: number }): BenchResult[] {
  const db = openDatabase(path.join(dir, 'rollups', 'cloud.db'))
  const now = Date.UTC(2026, 0, 1)
  const raw = 'bench.raw.level'
  writeSynthetic(db, o.points, now)
  writeRawPoint(db, raw, now)
  const history = createHistoryOps(
    db,
    createSampleReader(db, () => {}),
  )
  const rows = (table: string) => (db.$client.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n
  const what = `${o.points} points, ${rows('rollups_1h')} 1-h rows, ${rows('rollups_1m')} 1-min rows`

  const threeYears = (from: number) => plan({ from, to: from + 1096 * DAY, step: DAY })
  const aligned = threeYears(now - 1096 * DAY)
  const anywhere = threeYears(now - 1096 * DAY + 12_345)
  const month = plan({ from: now - 30 * DAY + 12_345, to: now, buckets: 1_000 })
  const point = 'bench.p0'

  const fromRollups = (p: BucketPlan, id = point) => history.buckets(id, p, 'all')
  // The same answer both ways before any figure counts.
  const a = fillBuckets(month, fromRollups(month, raw))
  const b = fillBuckets(month, history.rawBuckets(raw, month))
  if (a.some((x, i) => x.count !== b[i]!.count || x.min !== b[i]!.min || x.last !== b[i]!.last))
    throw new Error('bench: the rollup answer differs from the raw one')
  if (fillBuckets(aligned, fromRollups(aligned)).some((x) => x.count === 0))
    throw new Error('bench: a 3-year bucket without data')

  const p99 = (fn: () => unknown) => percentile(times(fn, o.runs), 0.99)
  const rawMonth = p99(() => history.rawBuckets(raw, month))
  const out = [
    result(
      `history step=1d over 3 years, from on the hour, p99 (${what})`,
      p99(() => fromRollups(aligned)),
      'ms',
      {
        target: { op: '<=', value: 500 },
      },
    ),
    result(
      `history step=1d over 3 years, from anywhere, p99 (${what})`,
      p99(() => fromRollups(anywhere)),
      'ms',
      {
        target: { op: '<=', value: 500 },
      },
    ),
    result(
      `history 30 days into 1 000 buckets, p99 (raw point: a sample every ${RAW_EVERY_MS / 1000} s; baseline: raw path)`,
      p99(() => fromRollups(month, raw)),
      'ms',
      { baseline: rawMonth, target: { op: '<=', value: 300 } },
    ),
    result('history 30 days into 1 000 buckets, raw path, p99', rawMonth, 'ms'),
  ]
  db.$client.close()
  return out
}

function plan(o: { from: number; to: number; step?: number; buckets?: number }): BucketPlan {
  const p = planBuckets(o)
  if ('problem' in p) throw new Error(p.problem)
  return p
}

function times(fn: () => unknown, runs: number): number[] {
  fn() // warm: statements prepared, pages cached
  return Array.from({ length: runs }, () => {
    const t = performance.now()
    fn()
    return performance.now() - t
  })
}

const percentile = (xs: number[], q: number) =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(q * xs.length))]!

type Db = ReturnType<typeof openDatabase>

/** 3 years of 1-h rollups and 30 days of 1-min rollups per point: a random walk around 50. */
function writeSynthetic(db: Db, points: number, now: number): void {
  const insert = (table: string) =>
    db.$client.prepare(
      `INSERT INTO ${table} (point, start, count, min, max, sum, last, last_ts, not_good) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    )
  const hourly = insert('rollups_1h')
  const minutely = insert('rollups_1m')
  const row = (width: number, start: number, v: number) => {
    const count = width / 1000
    return [count, v - 1, v + 1, v * count, v, start + width - 1000, 0]
  }
  db.$client.transaction(() => {
    for (let p = 0; p < points; p++) {
      const point = `bench.p${p}`
      let v = 50
      for (let t = now - 1096 * DAY; t < now; t += HOUR) {
        v += Math.sin(t / DAY + p) * 0.5
        hourly.run(point, t, ...row(HOUR, t, v))
      }
      for (let t = now - 30 * DAY; t < now; t += MIN) minutely.run(point, t, ...row(MIN, t, v + Math.sin(t / HOUR)))
    }
  })()
}

/** One point with 30 days of raw samples and the rollups made from them (as ingest makes them). */
function writeRawPoint(db: Db, point: string, now: number): void {
  const samples = Array.from({ length: (30 * DAY) / RAW_EVERY_MS }, (_, k) => {
    const ts = now - 30 * DAY + k * RAW_EVERY_MS
    return {
      ts,
      value: 50 + 10 * Math.sin(ts / HOUR) + (k % 7) / 10,
      quality: k % 1000 === 0 ? 'bad' : 'good',
    } as const
  })
  // As ingest stores them: a block per batch (an hour of the point here), then sealed into chunks.
  const blocks = createBlockWriter(db)
  const rollup = (table: string) =>
    db.$client.prepare(
      `INSERT INTO ${table} (point, start, count, min, max, sum, last, last_ts, not_good) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    )
  const write = (table: string, rows: Rollup[]) => {
    const st = rollup(table)
    for (const r of rows) st.run(point, r.start, r.count, r.min, r.max, r.sum, r.last, r.lastTs, r.notGood)
  }
  db.$client.transaction(() => {
    const stored = samples.map((s) => (s.quality === 'good' ? s : { ...s, value: null }))
    const perHour = HOUR / RAW_EVERY_MS
    for (let k = 0; k < stored.length; k += perHour)
      blocks.write(
        { edge: 'bench', outbox: 'bench', seq: k / perHour + 1, receivedAt: now },
        stored.slice(k, k + perHour).map((s) => ({ ...s, point })),
      )
    write('rollups_1m', rollupSamples(stored, MIN))
    write('rollups_1h', rollupSamples(stored, HOUR))
  })()
  createCompaction(db, () => {}).compact(now + 1)
}
