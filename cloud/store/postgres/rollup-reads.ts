import { sql } from 'drizzle-orm'
import type { ChunkSample } from '../historian/codec.ts'
import { CHUNK_WIDTH_MS } from '../historian/compact.ts'
import { hourOf } from '../historian/merge.ts'
import { partsOfWindows, type SpanWindow, windowsOf } from '../historian/spans.ts'
import type { Part, Plan, RollupSource, Span } from '../../telemetry/rollup-plan.ts'
import type { PgDb } from './db.ts'
import type { PgSampleReader } from './sample-reads.ts'

const TABLES: Record<RollupSource, string> = { '1m': 'rollups_1m', '1h': 'rollups_1h' }

/** Numbers only: a bigint[] parameter as PostgreSQL's array literal. */
const bigints = (list: readonly number[]) => `{${list.map((n) => Math.trunc(n)).join(',')}}`

/**
 * The rollup rows inside the given spans, per bucket of the plan (cloud/telemetry/rollup-plan.ts:
 * each span's rows lie inside one bucket, so the bucket is the row start's), as one source's
 * parts; `last` is the one of the newest last_ts among rows holding a good number (rows of one
 * point never share a last_ts: each lies inside its own minute or hour). One statement per source.
 */
export async function rollupParts(
  db: PgDb,
  source: RollupSource,
  point: string,
  plan: Plan,
  spans: readonly Span[],
): Promise<Part[]> {
  if (spans.length === 0) return []
  const from = Math.trunc(plan.from)
  const step = Math.trunc(plan.step)
  const rows = await db.execute<Record<string, unknown>>(sql`
    select ((r.start - ${from}::bigint) / ${step}::bigint)::int as "i",
      sum(r.count)::int as "count", min(r.min) as "min", max(r.max) as "max", sum(r.sum) as "sum",
      sum(r.not_good)::int as "notGood",
      (array_agg(r.last order by r.last_ts desc) filter (where r.count > 0))[1] as "last",
      (max(r.last_ts) filter (where r.count > 0))::float8 as "lastTs"
    from unnest(${bigints(spans.map((s) => s.from))}::bigint[], ${bigints(spans.map((s) => s.to))}::bigint[]) as j(f, t)
    join ${sql.raw(TABLES[source])} r on r.point = ${point} and r.start >= j.f and r.start < j.t
    group by 1`)
  return [...rows] as unknown as Part[]
}

/** The first index of a list sorted by ts whose ts is at least `ts`. */
function firstAtOrAfter(list: readonly ChunkSample[], ts: number): number {
  let lo = 0
  let hi = list.length
  while (lo < hi) {
    const mid = (lo + hi) >>> 1
    if ((list[mid] as ChunkSample).ts < ts) lo = mid + 1
    else hi = mid
  }
  return lo
}

/**
 * The partial minutes of a rollup answer read from the historian (historian/spans.ts): the
 * chunk hours of all windows in one read, then each window's samples cut out of it by time.
 */
export async function rawSpanParts(reader: PgSampleReader, point: string, plan: Plan, spans: readonly Span[]) {
  if (spans.length === 0) return []
  const windows = windowsOf(spans)
  const hours = new Set<number>()
  for (const w of windows) for (let h = hourOf(w.from); h <= w.to - 1; h += CHUNK_WIDTH_MS) hours.add(h)
  const from = (windows[0] as SpanWindow).from
  const to = Math.max(...windows.map((w) => w.to)) - 1
  const samples = await reader.readHours(point, [...hours], from, to)
  const read = windows.map((window) => ({
    window,
    samples: samples.slice(firstAtOrAfter(samples, window.from), firstAtOrAfter(samples, window.to)),
  }))
  return partsOfWindows(plan, read)
}
