import { request } from '../api.ts'
import type { AlarmView, PointView } from '../types.ts'
import { type Bucket, type RawSample, type Span, type XY, splitBuckets, splitRaw } from './trend-data.ts'

/**
 * What one pen of the trend needs from the API over a range: the point (name, unit, limits),
 * its values with the gaps broken, and its alarms (raises and recoveries to mark). Short ranges
 * read raw samples; long ones (or a raw read that would be cut) read server-side buckets
 * (GET …/history?buckets=N), so the browser never holds millions of points.
 */
export const RAW_MAX_SPAN_MS = 6 * 3_600_000
export const BUCKETS = 600
const RAW_LIMIT = 10_000

export interface PenData {
  point: PointView
  xy: XY[]
  gaps: Span[]
  alarms: AlarmView[]
  /** raw samples, or buckets of `step` ms. */
  mode: 'raw' | 'buckets'
  step: number | null
}

interface RawAnswer {
  samples: RawSample[]
  truncated: boolean
  gaps: Span[]
}
interface BucketAnswer {
  step: number
  buckets: Bucket[]
  gaps: Span[]
}

const path = (id: string) => `/api/v1/points/${encodeURIComponent(id)}`

async function values(id: string, r: Span): Promise<Pick<PenData, 'xy' | 'gaps' | 'mode' | 'step'>> {
  if (r.to - r.from <= RAW_MAX_SPAN_MS) {
    const raw = await request<RawAnswer>(`${path(id)}/history?from=${r.from}&to=${r.to}&limit=${RAW_LIMIT}`)
    if (!raw.truncated) return { xy: splitRaw(raw.samples, raw.gaps), gaps: raw.gaps, mode: 'raw', step: null }
  }
  const b = await request<BucketAnswer>(`${path(id)}/history?from=${r.from}&to=${r.to}&buckets=${BUCKETS}`)
  return { xy: splitBuckets(b.buckets, b.gaps), gaps: b.gaps, mode: 'buckets', step: b.step }
}

/** Alarms of the point raised in the range or up to a day before it (their recoveries may fall inside). */
const alarmsOf = (id: string, r: Span) =>
  request<AlarmView[]>(
    `/api/v1/alarms?state=all&point=${encodeURIComponent(id)}&from=${r.from - 86_400_000}&to=${r.to}&limit=500`,
  ).catch(() => [] as AlarmView[]) // a role without alarms:read still sees the values

export async function loadPen(id: string, r: Span): Promise<PenData> {
  const [point, v, alarms] = await Promise.all([request<PointView>(path(id)), values(id, r), alarmsOf(id, r)])
  return { point, ...v, alarms }
}

/** The alarm marks inside the range: raises and recoveries, oldest first. */
export function alarmMarks(pens: readonly PenData[], r: Span) {
  const marks: Array<{ at: number; type: 'raise' | 'recover'; alarm: AlarmView; pen: number }> = []
  pens.forEach((p, pen) => {
    for (const a of p.alarms) {
      if (a.raisedAt >= r.from && a.raisedAt <= r.to) marks.push({ at: a.raisedAt, type: 'raise', alarm: a, pen })
      if (a.recoveredAt !== null && a.recoveredAt >= r.from && a.recoveredAt <= r.to)
        marks.push({ at: a.recoveredAt, type: 'recover', alarm: a, pen })
    }
  })
  return marks.sort((x, y) => x.at - y.at)
}
