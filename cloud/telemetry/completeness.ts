/**
 * Data completeness (brief §3: every point refreshed at least every 5 min; ≥ 90 % of the
 * enterprises connected; a one-month trial with a complete record checked by a third party).
 *
 * [from, to) is cut into intervals of `step`; a point's completeness is the share of intervals in
 * which at least one GOOD sample arrived. An enterprise's is the mean over its registered points;
 * it counts as connected when any of its points had a good sample in the last interval. Pure.
 */
export interface PointIntervals {
  point: string
  enterprise: string | null
  /** Intervals with at least one good sample. */
  received: number
  /** Whether the last interval had one. */
  recent: boolean
}

export interface CompletenessReport {
  from: number
  to: number
  step: number
  expected: number
  points: Array<{ id: string; enterprise: string | null; received: number; completeness: number }>
  enterprises: Array<{ id: string; points: number; completeness: number; connected: boolean }>
  park: {
    points: number
    completeness: number | null
    enterprises: number
    connected: number
    connectedShare: number | null
  }
}

/** How many intervals [from, to) holds (the last one may be shorter). */
export const intervalsIn = (from: number, to: number, step: number) => Math.max(1, Math.ceil((to - from) / step))

/** Shares are rounded to 4 decimals for the answer only, never before they are averaged. */
const round4 = (x: number) => Math.round(x * 10_000) / 10_000
const mean = (xs: number[]) => (xs.length === 0 ? null : xs.reduce((a, x) => a + x, 0) / xs.length)

export function completeness(
  rows: readonly PointIntervals[],
  range: { from: number; to: number; step: number },
): CompletenessReport {
  const expected = intervalsIn(range.from, range.to, range.step)
  const shares = rows.map((r) => Math.min(r.received, expected) / expected)
  const byEnterprise = new Map<string, { shares: number[]; connected: boolean }>()
  rows.forEach((r, i) => {
    if (r.enterprise === null) return
    const e = byEnterprise.get(r.enterprise) ?? { shares: [], connected: false }
    e.shares.push(shares[i]!)
    e.connected ||= r.recent
    byEnterprise.set(r.enterprise, e)
  })
  const enterprises = [...byEnterprise]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([id, e]) => ({ id, points: e.shares.length, completeness: round4(mean(e.shares)!), connected: e.connected }))
  const connected = enterprises.filter((e) => e.connected).length
  const park = mean(shares)
  return {
    ...range,
    expected,
    points: rows.map((r, i) => ({
      id: r.point,
      enterprise: r.enterprise,
      received: Math.min(r.received, expected),
      completeness: round4(shares[i]!),
    })),
    enterprises,
    park: {
      points: rows.length,
      completeness: park === null ? null : round4(park),
      enterprises: enterprises.length,
      connected,
      connectedShare: enterprises.length === 0 ? null : round4(connected / enterprises.length),
    },
  }
}

/**
 * A point's figures from its samples of [from, to) in intervals of `step` (each engine reads the
 * samples): the intervals with a good sample, and whether the last one had one.
 */
export function receivedIn(
  samples: ReadonlyArray<{ ts: number; quality: string }>,
  range: { from: number; to: number; step: number },
): Pick<PointIntervals, 'received' | 'recent'> {
  const last = range.from + (intervalsIn(range.from, range.to, range.step) - 1) * range.step
  const seen = new Set<number>()
  let recent = false
  for (const s of samples) {
    if (s.quality !== 'good' || s.ts >= range.to) continue
    seen.add(Math.trunc((s.ts - Math.trunc(range.from)) / Math.trunc(range.step)))
    if (s.ts >= last) recent = true
  }
  return { received: seen.size, recent }
}
