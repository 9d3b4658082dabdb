import { sql } from 'drizzle-orm'
import { partsOfWindows, windowsOf } from '../historian/spans.ts'
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

/** The partial minutes of a rollup answer read from the historian, a window per chunk hour (historian/spans.ts). */
export async function rawSpanParts(reader: PgSampleReader, point: string, plan: Plan, spans: readonly Span[]) {
  if (spans.length === 0) return []
  const read = []
  for (const window of windowsOf(spans))
    read.push({ window, samples: await reader.read(point, window.from, window.to - 1) })
  return partsOfWindows(plan, read)
}
