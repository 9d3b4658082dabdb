import type { AlarmRecord } from './model.ts'

/**
 * Alarm management KPIs (ANSI/ISA-18.2 §16, EEMUA 191; brief §5, 001:L3334), pure: over the
 * alarms raised in [from, to). Flood: a 10-minute interval with more than 10 raises. Chattering:
 * a point raised 3 or more times within 60 s; the raises a latched chattering episode held (its
 * repeats) are counted apart, as suppressed repetitions. Stale: open and still active after 24 h.
 */
export interface AlarmKpis {
  from: number
  to: number
  total: number
  perDay: number
  perHour: number
  /** % of 10-minute intervals in the range with more than 10 raises. */
  floodPercent: number
  /** Points with ≥ 3 raises within 60 s, and how many such bursts. */
  chattering: Array<{ point: string; bursts: number }>
  /** Raises held on latched (chattering) episodes instead of raising new alarms (shared/rules/latch.ts). */
  suppressedRepeats: number
  /** Open alarms still active after 24 h (as of `now`). */
  stale: number
  topPoints: Array<{ point: string; pointName: string | null; count: number }>
  byGroup: Array<{ key: string; count: number }>
  /** Raised → first response (ack or triage), and raised → closed, in seconds. */
  timeToRespond: Stats
  timeToClose: Stats
}

export interface Stats {
  count: number
  medianS: number | null
  p90S: number | null
}

const DAY = 86_400_000
const TEN_MIN = 600_000

const quantile = (sorted: readonly number[], q: number): number | null =>
  sorted.length === 0 ? null : sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!
function stats(values: number[]): Stats {
  const s = values.map((v) => Math.round(v / 1000)).sort((a, b) => a - b)
  return { count: s.length, medianS: quantile(s, 0.5), p90S: quantile(s, 0.9) }
}

export function computeKpis(
  alarms: readonly AlarmRecord[],
  range: { from: number; to: number },
  now: number,
  by: 'enterprise' | 'point' | 'priority' = 'priority',
): AlarmKpis {
  const inRange = alarms.filter((a) => a.raisedAt >= range.from && a.raisedAt < range.to)
  const span = Math.max(1, range.to - range.from)
  const intervals = Math.max(1, Math.ceil(span / TEN_MIN))
  const perInterval = new Map<number, number>()
  for (const a of inRange) {
    const k = Math.floor((a.raisedAt - range.from) / TEN_MIN)
    perInterval.set(k, (perInterval.get(k) ?? 0) + 1)
  }
  const byPoint = new Map<string, AlarmRecord[]>()
  for (const a of inRange) byPoint.set(a.point, [...(byPoint.get(a.point) ?? []), a])
  const chattering: AlarmKpis['chattering'] = []
  for (const [point, list] of byPoint) {
    const times = list.map((a) => a.raisedAt).sort((x, y) => x - y)
    let bursts = 0
    for (let i = 0; i + 2 < times.length; ) {
      if (times[i + 2]! - times[i]! <= 60_000) {
        bursts++
        i += 3
      } else i++
    }
    if (bursts > 0) chattering.push({ point, bursts })
  }
  const groups = new Map<string, number>()
  for (const a of inRange) {
    const key = (by === 'enterprise' ? a.enterprise : by === 'point' ? a.point : a.priority) ?? '(none)'
    groups.set(key, (groups.get(key) ?? 0) + 1)
  }
  const responded = inRange.flatMap((a) => {
    const t = Math.min(a.disposal.ack?.at ?? Infinity, a.disposal.triage?.at ?? Infinity)
    return Number.isFinite(t) ? [t - a.raisedAt] : []
  })
  return {
    ...range,
    total: inRange.length,
    perDay: Math.round((inRange.length / (span / DAY)) * 100) / 100,
    perHour: Math.round((inRange.length / (span / 3_600_000)) * 100) / 100,
    floodPercent: Math.round(([...perInterval.values()].filter((n) => n > 10).length / intervals) * 10_000) / 100,
    chattering: chattering.sort((a, b) => b.bursts - a.bursts || a.point.localeCompare(b.point)),
    suppressedRepeats: inRange.reduce((n, a) => n + (a.repeats ?? 0), 0),
    stale: alarms.filter((a) => a.closedAt === null && a.state === 'active' && now - a.raisedAt > DAY).length,
    topPoints: [...byPoint]
      .map(([point, list]) => ({ point, pointName: list[0]!.pointName, count: list.length }))
      .sort((a, b) => b.count - a.count || a.point.localeCompare(b.point))
      .slice(0, 10),
    byGroup: [...groups]
      .map(([key, count]) => ({ key, count }))
      .sort((a, b) => b.count - a.count || a.key.localeCompare(b.key)),
    timeToRespond: stats(responded),
    timeToClose: stats(inRange.flatMap((a) => (a.closedAt === null ? [] : [a.closedAt - a.raisedAt]))),
  }
}
