import { describe, expect, it } from 'vitest'
import {
  missingPeriods,
  parseBound,
  partitionName,
  PARTITIONS,
  periodOf,
  periodsAhead,
  whollyBefore,
} from './partition-plan.ts'

const utc = Date.UTC

describe('partition plan (pure): periods, names, bounds', () => {
  it('a month and a year are UTC calendar periods, leap years and December included', () => {
    expect(periodOf(utc(2024, 1, 29, 23, 59, 59, 999), 'month')).toEqual({ from: utc(2024, 1, 1), to: utc(2024, 2, 1) })
    expect(periodOf(utc(2026, 11, 31, 12), 'month')).toEqual({ from: utc(2026, 11, 1), to: utc(2027, 0, 1) })
    expect(periodOf(utc(2026, 0, 1), 'month')).toEqual({ from: utc(2026, 0, 1), to: utc(2026, 1, 1) })
    expect(periodOf(utc(2026, 6, 4), 'year')).toEqual({ from: utc(2026, 0, 1), to: utc(2027, 0, 1) })
    expect(periodOf(utc(2027, 0, 1) - 1, 'year')).toEqual({ from: utc(2026, 0, 1), to: utc(2027, 0, 1) })
  })

  it('ahead of `now`: the current period and the next, back to back', () => {
    expect(periodsAhead(utc(2026, 11, 15), 'month')).toEqual([
      { from: utc(2026, 11, 1), to: utc(2027, 0, 1) },
      { from: utc(2027, 0, 1), to: utc(2027, 1, 1) },
    ])
    expect(periodsAhead(utc(2026, 11, 15), 'year')).toEqual([
      { from: utc(2026, 0, 1), to: utc(2027, 0, 1) },
      { from: utc(2027, 0, 1), to: utc(2028, 0, 1) },
    ])
  })

  it('names say the table and the UTC period; widths are monthly except the 1-h rollups (yearly)', () => {
    expect(partitionName('sample_chunks', periodOf(utc(2026, 2, 9), 'month'))).toBe('sample_chunks_p2026_03')
    expect(partitionName('sample_blocks', periodOf(utc(1970, 0, 1), 'month'))).toBe('sample_blocks_p1970_01')
    expect(partitionName('rollups_1h', periodOf(utc(2026, 2, 9), 'year'))).toBe('rollups_1h_p2026')
    expect(Object.fromEntries(Object.entries(PARTITIONS).map(([t, p]) => [t, `${p.key}/${p.width}`]))).toEqual({
      sample_chunks: 'hour/month',
      sample_blocks: 'received_at/month',
      rollups_1m: 'start/month',
      rollups_1h: 'start/year',
    })
  })

  it("parses the catalog's bounds (pg_get_expr of relpartbound), negative ones too; anything else is null", () => {
    expect(parseBound('DEFAULT')).toEqual({ kind: 'default' })
    expect(parseBound("FOR VALUES FROM ('1767225600000') TO ('1769904000000')")).toEqual({
      kind: 'range',
      from: 1767225600000,
      to: 1769904000000,
    })
    expect(parseBound("FOR VALUES FROM ('-2678400000') TO ('0')")).toEqual({ kind: 'range', from: -2678400000, to: 0 })
    expect(parseBound("FOR VALUES IN ('a')")).toBeNull()
    expect(parseBound('FOR VALUES FROM (MINVALUE) TO (0)')).toBeNull()
  })

  it('missing periods: those no existing range overlaps, once each, in time order', () => {
    const jan = periodOf(utc(2026, 0, 5), 'month')
    const feb = periodOf(utc(2026, 1, 5), 'month')
    const mar = periodOf(utc(2026, 2, 5), 'month')
    expect(missingPeriods([feb], [mar, feb, jan, mar])).toEqual([jan, mar])
    expect(missingPeriods([{ from: jan.from, to: mar.to }], [feb])).toEqual([])
    expect(missingPeriods([], [])).toEqual([])
  })

  it('retention drops only what is wholly older than the cutoff; the partition straddling it stays', () => {
    const parts = [0, 1, 2].map((m) => ({ name: `p${m}`, ...periodOf(utc(2026, m, 5), 'month') }))
    expect(whollyBefore(parts, utc(2026, 1, 1)).map((p) => p.name)).toEqual(['p0'])
    expect(whollyBefore(parts, utc(2026, 1, 1) - 1).map((p) => p.name)).toEqual([])
    expect(whollyBefore(parts, utc(2026, 1, 15)).map((p) => p.name)).toEqual(['p0'])
    expect(whollyBefore(parts, utc(2026, 3, 1)).map((p) => p.name)).toEqual(['p0', 'p1', 'p2'])
  })
})
