import { sql } from 'drizzle-orm'
import { partsOfSpans, spanRead } from '../historian/spans.ts'
import type { Part, Plan, RollupSource, Span } from '../../telemetry/rollup-plan.ts'
import type { PgDb } from './db.ts'
import type { PgSampleReader } from './sample-reads.ts'

const TABLES: Record<RollupSource, string> = { '1m': 'rollups_1m', '1h': 'rollups_1h' }

/** Numbers only: the spans as PostgreSQL's int8multirange literal, each [from, to). */
const multirange = (spans: readonly Span[]) =>
  `{${spans.map((s) => `[${Math.trunc(s.from)},${Math.trunc(s.to)})`).join(',')}}`

/**
 * The rollup rows inside the given spans, per bucket of the plan (cloud/telemetry/rollup-plan.ts:
 * each span's rows lie inside one bucket, so the bucket is the row start's), as one source's
 * parts; `last` is the one of the newest last_ts among rows holding a good number (rows of one
 * point never share a last_ts: each lies inside its own minute or hour). One statement per source:
 * ONE index range scan of the point's rows over the spans' extent (partitions pruned by it),
 * each row kept when its start lies in the spans (`<@` an int8multirange: a binary search). Not a
 * join of the spans with the table: with a range condition only, PostgreSQL joins them by a nested
 * loop over every row of the table for every span (a thousand spans × the table's rows, seconds).
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
  const first = Math.trunc(Math.min(...spans.map((s) => s.from)))
  const end = Math.trunc(Math.max(...spans.map((s) => s.to)))
  const rows = await db.execute<Record<string, unknown>>(sql`
    select ((r.start - ${from}::bigint) / ${step}::bigint)::int as "i",
      sum(r.count)::int as "count", min(r.min) as "min", max(r.max) as "max", sum(r.sum) as "sum",
      sum(r.not_good)::int as "notGood",
      (array_agg(r.last order by r.last_ts desc) filter (where r.count > 0))[1] as "last",
      (max(r.last_ts) filter (where r.count > 0))::float8 as "lastTs"
    from ${sql.raw(TABLES[source])} r
    where r.point = ${point} and r.start >= ${first}::bigint and r.start < ${end}::bigint
      and r.start <@ ${multirange(spans)}::int8multirange
    group by 1`)
  return [...rows] as unknown as Part[]
}

/** The partial minutes of a rollup answer read from the historian: their chunk hours in one statement (historian/spans.ts). */
export async function rawSpanParts(reader: PgSampleReader, point: string, plan: Plan, spans: readonly Span[]) {
  if (spans.length === 0) return []
  const read = spanRead(spans)
  return partsOfSpans(plan, await reader.readHours(point, read.hours, read))
}
