import { shiftStartAt } from '../alarms/board.ts'
import type { ReportPeriod } from './config.ts'

/**
 * Periods in the park's time zone (Asia/Shanghai by default), computed with Intl so any IANA
 * zone works, daylight saving included. A scheduled run covers the last complete period before
 * it: a day from local midnight, a week from Monday 00:00, a month from the 1st, a shift between
 * two handovers (board.shiftChanges at board.utcOffset, as the big screen has them).
 */
export interface Range {
  from: number
  to: number
}

export interface ShiftConfig {
  shiftChanges: readonly string[]
  utcOffset: string
}

interface LocalParts {
  year: number
  month: number
  day: number
  hour: number
  minute: number
  second: number
  /** 1 = Monday … 7 = Sunday. */
  weekday: number
}

const formatters = new Map<string, Intl.DateTimeFormat>()
const WEEKDAYS = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun']

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone)
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      weekday: 'short',
    })
    formatters.set(timeZone, f)
  }
  return f
}

export function localParts(ts: number, timeZone: string): LocalParts {
  const parts = Object.fromEntries(
    formatter(timeZone)
      .formatToParts(new Date(ts))
      .map((p) => [p.type, p.value]),
  )
  return {
    year: Number(parts.year),
    month: Number(parts.month),
    day: Number(parts.day),
    hour: Number(parts.hour),
    minute: Number(parts.minute),
    second: Number(parts.second),
    weekday: WEEKDAYS.indexOf(parts.weekday ?? '') + 1,
  }
}

/** The zone's offset from UTC at `ts`, in ms (east positive). */
function offsetAt(ts: number, timeZone: string): number {
  const p = localParts(ts, timeZone)
  return Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second) - Math.floor(ts / 1000) * 1000
}

/** The instant of local wall time y-m-d h:mi in the zone (month 1–12; overflowing days roll over as Date.UTC does). */
export function zonedTime(timeZone: string, year: number, month: number, day: number, hour = 0, minute = 0): number {
  const wall = Date.UTC(year, month - 1, day, hour, minute)
  const first = wall - offsetAt(wall, timeZone)
  return wall - offsetAt(first, timeZone)
}

export function startOfDay(ts: number, timeZone: string): number {
  const p = localParts(ts, timeZone)
  return zonedTime(timeZone, p.year, p.month, p.day)
}

export function startOfWeek(ts: number, timeZone: string): number {
  const p = localParts(ts, timeZone)
  return zonedTime(timeZone, p.year, p.month, p.day - (p.weekday - 1))
}

export function startOfMonth(ts: number, timeZone: string): number {
  const p = localParts(ts, timeZone)
  return zonedTime(timeZone, p.year, p.month, 1)
}

/** The last complete period of this kind that ended at or before `at`. */
export function periodBefore(period: ReportPeriod, at: number, timeZone: string, shifts: ShiftConfig): Range {
  const start = (ts: number): number => {
    switch (period) {
      case 'day':
        return startOfDay(ts, timeZone)
      case 'week':
        return startOfWeek(ts, timeZone)
      case 'month':
        return startOfMonth(ts, timeZone)
      case 'shift':
        return shiftStartAt(ts, shifts.shiftChanges, shifts.utcOffset)
    }
  }
  const to = start(at)
  return { from: start(to - 1), to }
}

const pad = (n: number) => String(n).padStart(2, '0')

/** "2026-03-01 08:00" in the zone. */
export function formatLocal(ts: number, timeZone: string): string {
  const p = localParts(ts, timeZone)
  return `${p.year}-${pad(p.month)}-${pad(p.day)} ${pad(p.hour)}:${pad(p.minute)}`
}

/** "20260301T0800", for file names. */
export function compactLocal(ts: number, timeZone: string): string {
  const p = localParts(ts, timeZone)
  return `${p.year}${pad(p.month)}${pad(p.day)}T${pad(p.hour)}${pad(p.minute)}`
}

/** A duration as "1 d 02:03" / "02:03:04" (h:mm:ss). */
export function formatDuration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000))
  const d = Math.floor(s / 86_400)
  const hms = `${pad(Math.floor((s % 86_400) / 3600))}:${pad(Math.floor((s % 3600) / 60))}:${pad(s % 60)}`
  return d > 0 ? `${d}d ${hms}` : hms
}
