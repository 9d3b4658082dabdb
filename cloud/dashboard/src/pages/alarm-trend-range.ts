import type { Span } from './trend-data.ts'

/** How far the alarm page's trend reaches before the raise and after the recovery (issue 17). */
export const AROUND_MS = 30 * 60_000

/** A camera's alarm (`camera:{id}`, cloud/alarms/engine/video.ts) has no values to draw. */
export const hasTrend = (point: string): boolean => !point.startsWith('camera:')

/**
 * The range of the point's trend around one alarm: 30 min before the raise to 30 min after the
 * recovery, or to `now` while it is active (a recovery still in the future is cut at `now`).
 */
export function alarmRange(a: { raisedAt: number; recoveredAt: number | null }, now: number): Span {
  const from = a.raisedAt - AROUND_MS
  const to = a.recoveredAt === null ? now : Math.min(a.recoveredAt + AROUND_MS, now)
  return { from, to: Math.max(to, a.raisedAt + 1) }
}

/**
 * What the range depends on: the page rebuilds the trend only when this changes (a recovery
 * arrives), never on its 5 s facts refresh.
 */
export const rangeKey = (a: { point: string; raisedAt: number; recoveredAt: number | null }): string =>
  `${a.point}|${a.raisedAt}|${a.recoveredAt ?? ''}`
