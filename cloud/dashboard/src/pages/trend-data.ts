/**
 * The multi-pen trend's data, pure (no DOM, no uPlot): a pen's samples or buckets made into
 * [time, value] points with a null wherever the line must break (issue 17: "gaps drawn as
 * gaps"), and the pens joined on one time axis for uPlot, where `null` breaks a line and
 * `undefined` (a time another pen has) is stepped over.
 */
export type XY = [ts: number, value: number | null]

/**
 * A point is expected at least every 5 min (brief §3: "every point refreshed at least every
 * 5 min"; the edge's report-by-exception forces a refresh after maxSilenceS, 300 s by default).
 * Two samples further apart than that, with a fifth for timer jitter, have a gap between them.
 */
export const EXPECTED_INTERVAL_MS = 300_000
export const GAP_AFTER_MS = EXPECTED_INTERVAL_MS * 1.2

export interface RawSample {
  ts: number
  value: number | boolean | string | null
  quality: string
}

export interface Bucket {
  start: number
  end: number
  avg: number | null
}

/** A span of time the history says is missing (a gap record: the edge dropped data). */
export interface Span {
  from: number
  to: number
}

const numeric = (s: RawSample): number | null =>
  s.quality === 'bad' || (typeof s.value !== 'number' && typeof s.value !== 'boolean') ? null : Number(s.value)

/** Does a recorded gap lie between two sample times (overlapping the open interval)? */
const gapBetween = (gaps: readonly Span[], a: number, b: number) => gaps.some((g) => g.to > a && g.from < b)

/**
 * Raw samples → points: a bad or non-numeric sample is a null (the line breaks there), and nulls
 * are put just after and just before two samples further apart than `gapAfterMs` or with a
 * recorded gap between (with other pens' times in between, one null in the middle would let the
 * line run on to it).
 */
export function splitRaw(samples: readonly RawSample[], gaps: readonly Span[] = [], gapAfterMs = GAP_AFTER_MS): XY[] {
  const out: XY[] = []
  let prev: number | null = null
  for (const s of [...samples].sort((a, b) => a.ts - b.ts)) {
    if (prev !== null && s.ts - prev > 2 && (s.ts - prev > gapAfterMs || gapBetween(gaps, prev, s.ts)))
      out.push([prev + 1, null], [s.ts - 1, null]) // right after and right before: no pen's line crosses the gap
    out.push([s.ts, numeric(s)])
    prev = s.ts
  }
  return out
}

/** Buckets → points at each bucket's middle; an empty bucket, or one a recorded gap covers wholly, is a null. */
export function splitBuckets(buckets: readonly Bucket[], gaps: readonly Span[] = []): XY[] {
  return buckets.map((b) => {
    const covered = gaps.some((g) => g.from <= b.start && g.to >= b.end)
    return [Math.floor((b.start + b.end) / 2), covered ? null : b.avg]
  })
}

/**
 * A null spreads over the undefined slots next to it (uPlot's NULL_EXPAND): uPlot breaks a line
 * only between a null's neighbours, so with other pens' times in a gap the line would otherwise
 * run across it, broken at its ends only.
 */
function expandNulls(row: Array<number | null | undefined>): Array<number | null | undefined> {
  for (let i = 0; i < row.length; i++) {
    if (row[i] !== null) continue
    for (let j = i - 1; j >= 0 && row[j] === undefined; j--) row[j] = null
    for (let j = i + 1; j < row.length && row[j] === undefined; j++) row[j] = null
  }
  return row
}

/** The pens on one time axis: [xs, ...one array per pen], undefined where a pen has no point at x, null across its gaps. */
export function alignPens(pens: readonly (readonly XY[])[]): [number[], ...Array<Array<number | null | undefined>>] {
  const xs = [...new Set(pens.flatMap((p) => p.map(([t]) => t)))].sort((a, b) => a - b)
  const index = new Map(xs.map((x, i) => [x, i]))
  const ys = pens.map((p) => {
    const row: Array<number | null | undefined> = new Array(xs.length).fill(undefined)
    for (const [t, v] of p) row[index.get(t)!] = v
    return expandNulls(row)
  })
  return [xs, ...ys]
}

/** What is shown, as CSV: a time column (ISO and the park's local text) and one column per pen; blank where a pen has no value. */
export function trendCsv(
  headers: readonly string[],
  data: readonly (readonly (number | null | undefined)[])[],
  localTime: (ms: number) => string,
): string {
  const cell = (v: string) => (/[",\n]/.test(v) ? `"${v.replaceAll('"', '""')}"` : v)
  const [xs, ...ys] = data
  const rows = (xs ?? []).map((x, i) =>
    [new Date(x!).toISOString(), localTime(x!), ...ys.map((y) => (y[i] == null ? '' : String(y[i])))]
      .map(cell)
      .join(','),
  )
  return `\uFEFF${[['time', 'local_time', ...headers].map(cell).join(','), ...rows].join('\n')}\n`
}

/** How many times a pen's line breaks (runs of nulls). */
export const breaks = (xy: readonly XY[]) =>
  xy.filter(([, v], i) => v === null && (i === 0 || xy[i - 1]![1] !== null)).length

/** A range moved by a share of its span (pan: ±0.5), or scaled around its middle (zoom: 0.5 in, 2 out). */
export function panRange(r: Span, share: number): Span {
  const d = Math.round((r.to - r.from) * share)
  return { from: r.from + d, to: r.to + d }
}
export function zoomRange(r: Span, factor: number, minSpan = 60_000): Span {
  const mid = (r.from + r.to) / 2
  const half = Math.max(minSpan, (r.to - r.from) * factor) / 2
  return { from: Math.round(mid - half), to: Math.round(mid + half) }
}

/**
 * `2026-12-06 08:00` in Beijing time, 24 h: a text field, not a datetime-local input, whose look
 * follows the browser's locale (`02:54 PM` on an English system).
 */
export const localInput = (ms: number) => new Date(ms + 8 * 3_600_000).toISOString().slice(0, 16).replace('T', ' ')
export const fromInput = (text: string) => {
  const m = /^\s*(\d{4}-\d{2}-\d{2})[ T](\d{1,2}):(\d{2})\s*$/.exec(text)
  return m ? Date.parse(`${m[1]}T${m[2]!.padStart(2, '0')}:${m[3]}:00+08:00`) : Number.NaN
}
