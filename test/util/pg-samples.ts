import { and, eq, sql } from 'drizzle-orm'
import { writeBlock } from '../../cloud/store/postgres/sample-blocks.ts'
import type { PgDb } from '../../cloud/store/postgres/db.ts'
import type { PgTx } from '../../cloud/store/postgres/tx.ts'
import { points, sampleChunks } from '../../cloud/store/postgres/schema.ts'
import { ROLLUP_WIDTHS, rollupSamples } from '../../cloud/store/historian/rollup.ts'
import { encodeValue } from '../../cloud/store/sample-values.ts'
import type { Sample } from '../../shared/wire/sample.ts'
import { flipMiddleByte } from './damage.ts'

/**
 * TEST-ONLY: puts samples into a PostgreSQL store the way a stored batch leaves them, for the
 * telemetry reads' tests until the PostgreSQL ingest exists (then the suite switches to it): the
 * batch's block (the engine's own writeBlock), each point's latest value (newest by time), and
 * the 1-min/1-h rollups merged as SQLite's rollups.ts merges them. No rules, no alarms.
 */
export async function putPgSamples(
  db: PgDb,
  key: { edge: string; seq: number; receivedAt: number },
  samples: readonly Sample[],
): Promise<void> {
  await db.transaction(async (tx) => {
    await writeBlock(tx, { ...key, outbox: 'outbox-test' }, samples)
    for (const point of new Set(samples.map((s) => s.point))) {
      const own = samples.filter((s) => s.point === point)
      await latest(tx, key.edge, own)
      for (const [table, width] of [
        ['rollups_1m', ROLLUP_WIDTHS['1m']],
        ['rollups_1h', ROLLUP_WIDTHS['1h']],
      ] as const)
        for (const r of rollupSamples(own, width)) await mergeRollup(tx, table, point, r)
    }
  })
}

async function latest(tx: PgTx, edge: string, own: readonly Sample[]): Promise<void> {
  const newest = own.reduce((a, s) => (s.ts >= a.ts ? s : a))
  const v = encodeValue(newest.value)
  const good = newest.quality === 'good' ? newest.ts : null
  const row = {
    latestTs: newest.ts,
    latestValue: v.value,
    latestText: v.text,
    latestQuality: newest.quality,
    latestReason: newest.reason ?? null,
  }
  await tx
    .insert(points)
    .values({ id: newest.point, edge, ...row, lastGoodTs: good })
    .onConflictDoUpdate({
      target: points.id,
      set: { ...row, lastGoodTs: sql`coalesce(${good}::bigint, ${points.lastGoodTs})` },
      where: sql`${points.latestTs} is null or ${points.latestTs} <= ${newest.ts}`,
    })
}

type Figures = ReturnType<typeof rollupSamples>[number]

async function mergeRollup(tx: PgTx, table: string, point: string, r: Figures): Promise<void> {
  const some = r.count > 0
  const t = sql.raw(table)
  await tx.execute(sql`
    insert into ${t} (point, start, count, min, max, sum, last, last_ts, not_good)
    values (${point}, ${r.start}, ${r.count}, ${some ? r.min : null}, ${some ? r.max : null}, ${r.sum},
      ${some ? r.last : null}, ${some ? r.lastTs : null}, ${r.notGood})
    on conflict (point, start) do update set
      count = ${t}.count + excluded.count,
      min = least(${t}.min, excluded.min),
      max = greatest(${t}.max, excluded.max),
      sum = ${t}.sum + excluded.sum,
      last = case when excluded.last_ts is not null and (${t}.last_ts is null or excluded.last_ts >= ${t}.last_ts) then excluded.last else ${t}.last end,
      last_ts = case when excluded.last_ts is not null and (${t}.last_ts is null or excluded.last_ts >= ${t}.last_ts) then excluded.last_ts else ${t}.last_ts end,
      not_good = ${t}.not_good + excluded.not_good`)
}

/** Flips one byte in the middle of a point's chunk of the hour starting at `hour`, as a bad sector would. */
export async function damagePgChunk(db: PgDb, point: string, hour: number): Promise<void> {
  const where = and(eq(sampleChunks.point, point), eq(sampleChunks.hour, hour))
  const [row] = await db.select({ id: sampleChunks.id, data: sampleChunks.data }).from(sampleChunks).where(where)
  if (!row) throw new Error(`no chunk of ${point} at ${hour}`)
  await db
    .update(sampleChunks)
    .set({ data: flipMiddleByte(row.data) })
    .where(eq(sampleChunks.id, row.id))
}
