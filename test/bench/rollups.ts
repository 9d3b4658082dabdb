import { mkdirSync } from 'node:fs'
import path from 'node:path'
import { createLogger } from '../../cloud/log.ts'
import { bucketFigures } from '../../cloud/store/historian/figures.ts'
import { ROLLUP_WIDTHS } from '../../cloud/store/historian/rollup.ts'
import { openStore } from '../../cloud/store/open-store.ts'
import { StoreConfig } from '../../cloud/store/store-config.ts'
import type { Store } from '../../cloud/store/store.ts'
import { fillBuckets, planBuckets, type BucketPlan } from '../../cloud/telemetry/buckets.ts'
import { createEvaluator } from '../../shared/rules/evaluate.ts'
import type { Sample } from '../../shared/wire/sample.ts'
import type { BenchEngine, BulkWriter } from './engines.ts'
import { quantile, result, times, type BenchResult } from './table.ts'

const MIN = ROLLUP_WIDTHS['1m']
const HOUR = ROLLUP_WIDTHS['1h']
const DAY = 24 * HOUR
const RAW_EVERY_MS = 5_000
const log = (text: string) => console.error(`[bench rollups] ${text}`)
const ROLLUP_COLUMNS = ['point', 'start', 'count', 'min', 'max', 'sum', 'last', 'last_ts', 'not_good'] as const

/**
 * (15) History over a park's lifetime from the rollups, on either engine (engines.ts): a synthetic
 * set of `points` points with 3 years of 1-h rollups and 30 days of 1-min rollups written into the
 * store's schema, plus one point with 30 days of raw samples (one every 5 s) ingested as an edge
 * sends them (the store makes its rollups) and compacted into chunks. Timed through the store's
 * history API (Store.historyBuckets, what /history answers): `step=1d` over 3 years (from on the
 * hour, and from anywhere as the API's `now - 3 years` is), and 30 days into 1 000 buckets (the
 * dashboard's trend) against the raw path on the same 30 days: all the samples read and bucketed
 * (the same answer, checked).
 */
export async function benchRollups(
  engine: BenchEngine,
  dir: string,
  o: { points: number; runs: number },
): Promise<BenchResult[]> {
  const dataDir = path.join(dir, `rollups-${engine.name.toLowerCase()}`)
  mkdirSync(dataDir, { recursive: true })
  const fresh = await engine.freshStore()
  const store = await openStore(
    { store: StoreConfig.parse(fresh.config), dataDir },
    { evaluate: createEvaluator(), log: createLogger({ level: 'silent' }), onCorrupt: () => {} },
  )
  try {
    const now = Date.UTC(2026, 0, 1)
    const raw = 'bench.raw.level'
    const t = performance.now()
    await writeRawPoint(store, raw, now)
    const bulk = await fresh.bulk(dataDir)
    try {
      await writeSynthetic(bulk, o.points, now)
      await bulk.settle(now)
    } finally {
      await bulk.close()
    }
    log(`${engine.name}: synthetic set written in ${((performance.now() - t) / 1000).toFixed(0)} s`)
    return await timeHistory(store, engine.name, { ...o, now, raw })
  } finally {
    await store.close()
    await fresh.drop()
  }
}

async function timeHistory(
  store: Store,
  engine: string,
  o: { points: number; runs: number; now: number; raw: string },
): Promise<BenchResult[]> {
  const { now, raw } = o
  const what = `${o.points} points, ${o.points * 1096 * 24} 1-h rows, ${o.points * 30 * 24 * 60} 1-min rows`
  const threeYears = (from: number) => plan({ from, to: from + 1096 * DAY, step: DAY })
  const aligned = threeYears(now - 1096 * DAY)
  const anywhere = threeYears(now - 1096 * DAY + 12_345)
  const month = plan({ from: now - 30 * DAY + 12_345, to: now, buckets: 1_000 })
  const point = 'bench.p0'

  const fromRollups = (p: BucketPlan, id = point) => store.historyBuckets(id, p, 'all')
  // The raw path: every sample of the range read and bucketed (historian/figures.ts, as the engines' raw path).
  const rawPath = async (p: BucketPlan) =>
    bucketFigures(await store.history(raw, { from: p.from, to: p.to - 1, limit: Number.MAX_SAFE_INTEGER }, 'all'), p)
  // The same answer both ways before any figure counts.
  const a = fillBuckets(month, await fromRollups(month, raw))
  const b = fillBuckets(month, await rawPath(month))
  if (a.some((x, i) => x.count !== b[i]!.count || x.min !== b[i]!.min || x.last !== b[i]!.last))
    throw new Error(`bench (${engine}): the rollup answer differs from the raw one`)
  if (fillBuckets(aligned, await fromRollups(aligned)).some((x) => x.count === 0))
    throw new Error(`bench (${engine}): a 3-year bucket without data`)

  const p99 = async (fn: () => Promise<unknown>) => quantile(await times(fn, o.runs), 0.99)
  const rawMonth = await p99(() => rawPath(month))
  const upTo = (value: number) => ({ target: { op: '<=', value } }) as const
  return [
    result(
      `${engine}: history step=1d over 3 years, from on the hour, p99 (${what})`,
      await p99(() => fromRollups(aligned)),
      'ms',
      upTo(500),
    ),
    result(
      `${engine}: history step=1d over 3 years, from anywhere, p99 (${what})`,
      await p99(() => fromRollups(anywhere)),
      'ms',
      upTo(500),
    ),
    result(
      `${engine}: history 30 days into 1 000 buckets, p99 (raw point: a sample every ${RAW_EVERY_MS / 1000} s; baseline: raw path)`,
      await p99(() => fromRollups(month, raw)),
      'ms',
      { baseline: rawMonth, ...upTo(300) },
    ),
    result(`${engine}: history 30 days into 1 000 buckets, raw path, p99`, rawMonth, 'ms'),
  ]
}

function plan(o: { from: number; to: number; step?: number; buckets?: number }): BucketPlan {
  const p = planBuckets(o)
  if ('problem' in p) throw new Error(p.problem)
  return p
}

/** 3 years of 1-h rollups and 30 days of 1-min rollups per point: a random walk around 50. */
async function writeSynthetic(bulk: BulkWriter, points: number, now: number): Promise<void> {
  const row = (point: string, width: number, start: number, v: number) => {
    const count = width / 1000
    return [point, start, count, v - 1, v + 1, v * count, v, start + width - 1000, 0]
  }
  for (let p = 0; p < points; p++) {
    const point = `bench.p${p}`
    const hourly: unknown[][] = []
    const minutely: unknown[][] = []
    let v = 50
    for (let t = now - 1096 * DAY; t < now; t += HOUR) {
      v += Math.sin(t / DAY + p) * 0.5
      hourly.push(row(point, HOUR, t, v))
    }
    for (let t = now - 30 * DAY; t < now; t += MIN) minutely.push(row(point, MIN, t, v + Math.sin(t / HOUR)))
    await bulk.insert('rollups_1h', ROLLUP_COLUMNS, hourly)
    await bulk.insert('rollups_1m', ROLLUP_COLUMNS, minutely)
  }
}

/**
 * One point with 30 days of raw samples (every 1 000th bad), ingested as an edge sends them
 * (batches of 1 000: the store writes their blocks and rollups) and then compacted into chunks.
 */
async function writeRawPoint(store: Store, point: string, now: number): Promise<void> {
  const count = (30 * DAY) / RAW_EVERY_MS
  const sample = (k: number): Sample => {
    const ts = now - 30 * DAY + k * RAW_EVERY_MS
    const bad = k % 1000 === 0
    return {
      point,
      ts,
      value: bad ? null : 50 + 10 * Math.sin(ts / HOUR) + (k % 7) / 10,
      quality: bad ? 'bad' : 'good',
    }
  }
  for (let k = 0, seq = 1; k < count; k += 1000, seq++) {
    const samples = Array.from({ length: Math.min(1000, count - k) }, (_, j) => sample(k + j))
    await store.ingestBatch(
      { v: 1, edge: 'bench-01', session: 'bench', outbox: 'bench-outbox', seq, floor: seq, samples },
      { site: 'bench', receivedAt: now, inOrder: true },
    )
  }
  await store.compactSamples(now + 1)
}
