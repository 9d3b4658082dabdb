/**
 * The time partitions of the PostgreSQL historian and rollup tables (issue 15: "time-partitioned
 * tables for chunks and rollups (native declarative partitioning)"): which table is partitioned
 * by which epoch-ms column, how wide a partition is, its name and its range. Pure: the statements
 * that create, fill and drop them are in partitions.ts.
 *
 * Widths: a month for the chunks, the blocks and the 1-min rollups (raw data kept 1 year and 1-min
 * rollups 3 years by default: 12 and 36 partitions, each dropped at most a month after its data
 * passed the cutoff); a year for the 1-h rollups (10 years by default: about 10 small partitions;
 * a month would make 120 for rows that are 60 times fewer than the 1-min ones). Periods are UTC
 * calendar months and years, like the rollups' buckets.
 */
export type PartitionWidth = 'month' | 'year'

export const PARTITIONED_TABLES = ['sample_chunks', 'sample_blocks', 'rollups_1m', 'rollups_1h'] as const
export type PartitionedTable = (typeof PARTITIONED_TABLES)[number]

export interface PartitionSpec {
  /** The epoch-ms column the table is ranged on (its primary key holds it). */
  key: string
  width: PartitionWidth
}

export const PARTITIONS: Record<PartitionedTable, PartitionSpec> = {
  // The chunk's hour: history reads ask (point, hour) and prune to the months they cover.
  sample_chunks: { key: 'hour', width: 'month' },
  // Blocks live until the compaction seals them into chunks: by arrival, so old months empty out.
  sample_blocks: { key: 'received_at', width: 'month' },
  rollups_1m: { key: 'start', width: 'month' },
  rollups_1h: { key: 'start', width: 'year' },
}

/** [from, to) in epoch ms. */
export interface Period {
  from: number
  to: number
}

/** The UTC month or year holding `t`. */
export function periodOf(t: number, width: PartitionWidth): Period {
  const d = new Date(t)
  const y = d.getUTCFullYear()
  if (width === 'year') return { from: Date.UTC(y, 0, 1), to: Date.UTC(y + 1, 0, 1) }
  const m = d.getUTCMonth()
  return { from: Date.UTC(y, m, 1), to: Date.UTC(y, m + 1, 1) }
}

/** The periods the maintainer makes sure exist at `now`: the current one and the next. */
export function periodsAhead(now: number, width: PartitionWidth): Period[] {
  const current = periodOf(now, width)
  return [current, periodOf(current.to, width)]
}

const pad = (n: number, digits: number) => String(Math.abs(n)).padStart(digits, '0')

/** `sample_chunks_p2026_03`, `rollups_1h_p2026` (UTC; a year before 0 gets an `m` for minus). */
export function partitionName(table: PartitionedTable, period: Period): string {
  const d = new Date(period.from)
  const y = d.getUTCFullYear()
  const year = `${y < 0 ? 'm' : ''}${pad(y, 4)}`
  return PARTITIONS[table].width === 'year' ? `${table}_p${year}` : `${table}_p${year}_${pad(d.getUTCMonth() + 1, 2)}`
}

export const defaultPartitionName = (table: PartitionedTable) => `${table}_default`

/** A partition as the catalog describes it (pg_get_expr of relpartbound). */
export type PartitionBound = { kind: 'default' } | ({ kind: 'range' } & Period)

/** Parses `FOR VALUES FROM ('1767225600000') TO ('1769904000000')` or `DEFAULT`; null for anything else. */
export function parseBound(expr: string): PartitionBound | null {
  if (expr.trim() === 'DEFAULT') return { kind: 'default' }
  const m = /^FOR VALUES FROM \('?(-?\d+)'?\) TO \('?(-?\d+)'?\)$/.exec(expr.trim())
  return m ? { kind: 'range', from: Number(m[1]), to: Number(m[2]) } : null
}

/** The periods among `wanted` that no existing range covers (deduplicated, in time order). */
export function missingPeriods(existing: readonly Period[], wanted: readonly Period[]): Period[] {
  const seen = new Set<number>()
  return [...wanted]
    .sort((a, b) => a.from - b.from)
    .filter((p) => {
      if (seen.has(p.from)) return false
      seen.add(p.from)
      return !existing.some((e) => e.from < p.to && p.from < e.to)
    })
}

/**
 * The partitions retention may drop at `cutoff` (everything older goes): those whose whole range
 * is older. The partition straddling the cutoff stays whole until it is wholly past: nothing is
 * deleted row by row (issue 15).
 */
export const whollyBefore = <P extends Period>(partitions: readonly P[], cutoff: number): P[] =>
  partitions.filter((p) => p.to <= cutoff)
