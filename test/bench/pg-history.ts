import { encodeChunk } from '../../cloud/store/historian/codec.ts'
import { openPostgres } from '../../cloud/store/postgres/db.ts'
import { pgTelemetryRepo } from '../../cloud/store/postgres/repos.ts'
import { rollups1h, rollups1m, sampleChunks } from '../../cloud/store/postgres/schema.ts'
import { startPostgres } from '../util/postgres.ts'

/**
 * Issue 15's read targets on PostgreSQL (measured, not asserted): 30 days of one point at 1 s
 * into 1 000 buckets, and step=1d over 3 years of 1-h rollups; median of 5 runs each.
 * Run: npx tsx test/bench/pg-history.ts
 */
const HOUR = 3_600_000
const DAY = 24 * HOUR
const T0 = Date.UTC(2025, 0, 1)
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number

async function timed(fn: () => Promise<unknown>): Promise<number> {
  const runs: number[] = []
  for (let k = 0; k < 5; k++) {
    const t = performance.now()
    await fn()
    runs.push(performance.now() - t)
  }
  return median(runs)
}

const server = await startPostgres({ database: 'bench' })
const db = await openPostgres({ url: server.url, max: 4 })
try {
  const point = 'bench.p1'
  // 30 days at 1 s, sealed: one chunk per hour, plus its 1-min and 1-h rollups.
  const from = T0 + 1000 * DAY
  for (let h = 0; h < 30 * 24; h++) {
    const hour = from + h * HOUR
    const samples = Array.from({ length: 3600 }, (_, k) => ({
      ts: hour + k * 1000,
      value: 50 + 10 * Math.sin((h * 3600 + k) / 900),
      quality: 'good' as const,
    }))
    const data = Buffer.from(encodeChunk(samples))
    await db.insert(sampleChunks).values({ point, hour, fromTs: hour, toTs: hour + 3_599_000, count: 3600, data })
    const minutes = Array.from({ length: 60 }, (_, m) => {
      const inside = samples.slice(m * 60, m * 60 + 60).map((s) => s.value)
      return rollupRow(point, hour + m * 60_000, inside, hour + m * 60_000 + 59_000)
    })
    await db.insert(rollups1m).values(minutes)
    await db.insert(rollups1h).values(
      rollupRow(
        point,
        hour,
        samples.map((s) => s.value),
        hour + 3_599_000,
      ),
    )
  }
  // 3 years of 1-h rollups of a second point.
  const longPoint = 'bench.p2'
  const rows = Array.from({ length: 3 * 365 * 24 }, (_, h) =>
    rollupRow(longPoint, T0 + h * HOUR, [1, 2, 3], T0 + h * HOUR),
  )
  for (let i = 0; i < rows.length; i += 5000) await db.insert(rollups1h).values(rows.slice(i, i + 5000))
  await db.execute('analyze')

  const repo = pgTelemetryRepo(db, { onCorrupt: () => {} })
  const to30 = from + 30 * DAY
  const thousand = { from, to: to30, step: (to30 - from) / 1000 }
  const buckets = await repo.historyBuckets(point, thousand, 'all')
  const ms30 = await timed(() => repo.historyBuckets(point, thousand, 'all'))
  const aligned = { from, to: to30, step: 43 * 60_000 }
  const msAligned = await timed(() => repo.historyBuckets(point, aligned, 'all'))
  const years = { from: T0, to: T0 + 3 * 365 * DAY, step: DAY }
  const days = await repo.historyBuckets(longPoint, years, 'all')
  const ms3y = await timed(() => repo.historyBuckets(longPoint, years, 'all'))
  console.log(
    `30 days at 1 s into 1 000 buckets (step 43.2 min): ${ms30.toFixed(1)} ms median of 5 (${buckets.length} buckets)`,
  )
  console.log(`30 days at 1 s, step 43 min (minute-aligned): ${msAligned.toFixed(1)} ms median of 5`)
  console.log(`3 years of 1-h rollups, step=1d: ${ms3y.toFixed(1)} ms median of 5 (${days.length} buckets)`)
} finally {
  await db.$client.end({ timeout: 5 })
  await server.stop()
}

function rollupRow(point: string, start: number, values: number[], lastTs: number) {
  return {
    point,
    start,
    count: values.length,
    min: Math.min(...values),
    max: Math.max(...values),
    sum: values.reduce((a, v) => a + v, 0),
    last: values.at(-1) as number,
    lastTs,
    notGood: 0,
  }
}
