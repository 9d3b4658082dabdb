import type { AlarmRecord } from './model.ts'

/**
 * The park's own alarm KPI model (公共工程运行效果模型, 001:L3335), pure: per local day of the
 * range and on average per day — alarms (每天产生报警数量), alarms per hour (平均每小时), the share
 * of hours with more than 3 alarms (每小时发生3次报警以上的百分比), valid alarms (有效报警: triaged
 * valid), A-class alarms (A类), stale alarms (陈旧: still active 24 h after raising), fleeting
 * alarms (瞬闪: recovered within `fleetingMs` of raising), offline alarms (掉线: comm loss, STALE or
 * OFFLINE) and repeating points (重复报警点位: a point raised twice or more that day, or latched
 * repeats onto one alarm, shared/rules/latch.ts). Days and hours are cut at the park's offset.
 */
export interface ParkKpiOptions {
  /** The park's offset from UTC in ms (+08:00 → 8 h): where its days begin. */
  offsetMs: number
  /** Recovered within this of raising: fleeting (瞬闪). */
  fleetingMs: number
  /** The "as of" time for alarms still active (stale). */
  now: number
}

export interface DayKpis {
  /** The local day's start (epoch ms) and its date (YYYY-MM-DD at the park's offset). */
  start: number
  date: string
  total: number
  /** Hours of the day (inside the range) with more than 3 alarms, and how many hours counted. */
  busyHours: number
  hours: number
  valid: number
  aClass: number
  stale: number
  fleeting: number
  offline: number
  repeatingPoints: number
}

export interface ParkKpis {
  from: number
  to: number
  days: DayKpis[]
  /** Alarms per hour of the range, [hour start, count] (the chart's series). */
  hourly: Array<{ start: number; count: number }>
  /** Averages per day over the range's days (to 2 decimals), per hour, and the busy-hour share (%). */
  perDay: {
    total: number
    valid: number
    aClass: number
    stale: number
    fleeting: number
    offline: number
    repeatingPoints: number
  }
  perHour: number
  busyHourPercent: number
  /** The points that repeated most over the range: raises, and on how many days they repeated. */
  repeatingPoints: Array<{ point: string; pointName: string | null; raises: number; days: number }>
}

export const BUSY_HOUR_ALARMS = 3
const HOUR = 3_600_000
const DAY = 24 * HOUR
const OFFLINE_KINDS = new Set(['STALE', 'OFFLINE'])
const round2 = (x: number) => Math.round(x * 100) / 100

/** The local day start at or before `t`. */
const dayStart = (t: number, offsetMs: number) => Math.floor((t + offsetMs) / DAY) * DAY - offsetMs
const dateOf = (start: number, offsetMs: number) => new Date(start + offsetMs).toISOString().slice(0, 10)

const isStale = (a: AlarmRecord, now: number) =>
  (a.recoveredAt ?? (a.state === 'active' ? now : a.raisedAt)) - a.raisedAt > DAY
const isFleeting = (a: AlarmRecord, fleetingMs: number) =>
  a.recoveredAt !== null && a.recoveredAt - a.raisedAt <= fleetingMs

/** The hours of [from, to) as [start, count of raises]; hours start on the clock hour (offsets are whole hours or halves, cut at UTC hours). */
export function hourlyCounts(alarms: readonly AlarmRecord[], from: number, to: number) {
  const first = Math.floor(from / HOUR) * HOUR
  const hours = Array.from({ length: Math.max(0, Math.ceil((to - first) / HOUR)) }, (_, i) => ({
    start: first + i * HOUR,
    count: 0,
  }))
  for (const a of alarms) {
    const h = hours[Math.floor((a.raisedAt - first) / HOUR)]
    if (h) h.count++
  }
  return hours
}

function dayKpis(
  list: readonly AlarmRecord[],
  start: number,
  hourly: ReadonlyArray<{ start: number; count: number }>,
  o: ParkKpiOptions,
): DayKpis {
  const inDay = hourly.filter((h) => h.start >= start && h.start < start + DAY)
  const perPoint = new Map<string, number>()
  for (const a of list) perPoint.set(a.point, (perPoint.get(a.point) ?? 0) + 1)
  const repeating = new Set([...perPoint].filter(([, n]) => n >= 2).map(([p]) => p))
  for (const a of list) if ((a.repeats ?? 0) > 0) repeating.add(a.point)
  return {
    start,
    date: dateOf(start, o.offsetMs),
    total: list.length,
    busyHours: inDay.filter((h) => h.count > BUSY_HOUR_ALARMS).length,
    hours: inDay.length,
    valid: list.filter((a) => a.disposal.triage?.verdict === 'valid').length,
    aClass: list.filter((a) => a.priority === 'A').length,
    stale: list.filter((a) => isStale(a, o.now)).length,
    fleeting: list.filter((a) => isFleeting(a, o.fleetingMs)).length,
    offline: list.filter((a) => OFFLINE_KINDS.has(a.kind)).length,
    repeatingPoints: repeating.size,
  }
}

export function parkKpis(
  alarms: readonly AlarmRecord[],
  range: { from: number; to: number },
  o: ParkKpiOptions,
): ParkKpis {
  const inRange = alarms.filter((a) => a.raisedAt >= range.from && a.raisedAt < range.to)
  const hourly = hourlyCounts(inRange, range.from, range.to)
  const byDay = new Map<number, AlarmRecord[]>()
  for (let d = dayStart(range.from, o.offsetMs); d < range.to; d += DAY) byDay.set(d, [])
  for (const a of inRange) byDay.get(dayStart(a.raisedAt, o.offsetMs))?.push(a)
  const days = [...byDay].map(([start, list]) => dayKpis(list, start, hourly, o))
  const n = Math.max(1, (range.to - range.from) / DAY)
  const sum = (k: keyof DayKpis) => days.reduce((s, d) => s + (d[k] as number), 0)
  const avg = (k: keyof DayKpis) => round2(sum(k) / n)
  const hoursCounted = hourly.length
  return {
    ...range,
    days,
    hourly,
    perDay: {
      total: avg('total'),
      valid: avg('valid'),
      aClass: avg('aClass'),
      stale: avg('stale'),
      fleeting: avg('fleeting'),
      offline: avg('offline'),
      repeatingPoints: avg('repeatingPoints'),
    },
    perHour: round2(inRange.length / Math.max(1, (range.to - range.from) / HOUR)),
    busyHourPercent: hoursCounted === 0 ? 0 : round2((sum('busyHours') / hoursCounted) * 100),
    repeatingPoints: repeaters(inRange, o.offsetMs),
  }
}

/** Points that repeated on at least one day, most raises first (top 20). */
function repeaters(inRange: readonly AlarmRecord[], offsetMs: number): ParkKpis['repeatingPoints'] {
  const points = new Map<string, { pointName: string | null; raises: number; perDay: Map<number, number> }>()
  for (const a of inRange) {
    const p = points.get(a.point) ?? { pointName: a.pointName, raises: 0, perDay: new Map<number, number>() }
    const d = dayStart(a.raisedAt, offsetMs)
    const weight = (a.repeats ?? 0) > 0 ? 2 : 1 // a latched alarm is a repetition by itself
    p.raises += 1 + (a.repeats ?? 0)
    p.perDay.set(d, (p.perDay.get(d) ?? 0) + weight)
    points.set(a.point, p)
  }
  return [...points]
    .map(([point, p]) => ({
      point,
      pointName: p.pointName,
      raises: p.raises,
      days: [...p.perDay.values()].filter((n) => n >= 2).length,
    }))
    .filter((p) => p.days > 0)
    .sort((a, b) => b.raises - a.raises || a.point.localeCompare(b.point))
    .slice(0, 20)
}
