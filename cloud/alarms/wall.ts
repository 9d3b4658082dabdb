import { Priority } from '../../shared/rules/priority.ts'
import { COLOURS, type WarningColour } from '../../shared/rules/gas-warning.ts'
import type { AlarmRecord } from '../store/store.ts'
import type { GasWarningRecord } from './gas/model.ts'

/**
 * The wall display's summary (智慧化工园区 大屏, brief §5, issue 17), pure: what the park reads
 * at a glance from 5 m. "Today" starts at local midnight (the board's utcOffset, +08:00 by
 * default); the per-hour series covers the 24 hours before `now`.
 */
export interface WallInput {
  now: number
  utcOffset: string
  /** Alarms raised since min(today's start, now − 24 h), any state. */
  recent: readonly AlarmRecord[]
  /** Every open (not closed) alarm. */
  open: readonly AlarmRecord[]
  /** Whether an open alarm is past its response deadline (cloud/alarms/workflow.ts isOverdue). */
  overdue: (a: AlarmRecord) => boolean
  /** Point → its hazard source (registry), to light the hazard sources on the plan. */
  hazardSourceOf: ReadonlyMap<string, string>
}

export interface WallSummary {
  at: number
  dayStart: number
  today: { total: number; byPriority: Record<Priority, number>; closed: number; disposalRate: number | null }
  active: number
  overdue: number
  /** Alarms raised per hour, oldest first: 24 buckets ending at `now`'s hour. */
  perHour: Array<{ at: number; count: number }>
  /** The points raised most often in the last 24 h. */
  topPoints: Array<{ point: string; pointName: string | null; enterprise: string | null; count: number }>
  /** Worst priority of the active open alarms per enterprise, hazard source and camera (`camera:{id}`), and their counts. */
  lit: { enterprises: Record<string, Lit>; hazardSources: Record<string, Lit>; cameras: Record<string, Lit> }
  /** Cameras whose OFFLINE alarm is active (cloud/alarms/comm-loss.ts). */
  camerasOffline: string[]
}

export interface Lit {
  worst: Priority
  active: number
}

const PRIORITIES = Priority.options
const HOUR = 3_600_000
const TOP = 5
/** The alarm point of a camera (cloud/alarms/engine/video.ts cameraAlarmPoint). */
const CAMERA = 'camera:'

/** Milliseconds east of UTC for "+08:00" / "-05:30". */
export function offsetMs(utcOffset: string): number {
  const sign = utcOffset.startsWith('-') ? -1 : 1
  const [h, m] = utcOffset.slice(1).split(':').map(Number) as [number, number]
  return sign * (h * 60 + m) * 60_000
}

/** The start of the local day containing `now`. */
export function dayStartAt(now: number, utcOffset: string): number {
  const off = offsetMs(utcOffset)
  return Math.floor((now + off) / 86_400_000) * 86_400_000 - off
}

const worse = (a: Priority, b: Priority) => (PRIORITIES.indexOf(a) <= PRIORITIES.indexOf(b) ? a : b)

function light(into: Record<string, Lit>, key: string | null | undefined, p: Priority): void {
  if (!key) return
  const cur = into[key]
  into[key] = cur ? { worst: worse(cur.worst, p), active: cur.active + 1 } : { worst: p, active: 1 }
}

export function wallSummary(input: WallInput): WallSummary {
  const { now, recent, open } = input
  const dayStart = dayStartAt(now, input.utcOffset)
  const today = recent.filter((a) => a.raisedAt >= dayStart && a.raisedAt <= now)
  const byPriority = Object.fromEntries(PRIORITIES.map((p) => [p, 0])) as Record<Priority, number>
  for (const a of today) byPriority[a.priority]++
  const closed = today.filter((a) => a.closedAt !== null).length

  const lastHour = Math.floor(now / HOUR) * HOUR
  const firstHour = lastHour - 23 * HOUR
  const perHour = Array.from({ length: 24 }, (_, i) => ({ at: firstHour + i * HOUR, count: 0 }))
  const byPoint = new Map<
    string,
    { point: string; pointName: string | null; enterprise: string | null; count: number }
  >()
  for (const a of recent) {
    if (a.raisedAt < firstHour || a.raisedAt > now) continue
    perHour[Math.floor((a.raisedAt - firstHour) / HOUR)]!.count++
    const p = byPoint.get(a.point) ?? { point: a.point, pointName: a.pointName, enterprise: a.enterprise, count: 0 }
    p.count++
    byPoint.set(a.point, p)
  }
  const topPoints = [...byPoint.values()]
    .sort((a, b) => b.count - a.count || a.point.localeCompare(b.point))
    .slice(0, TOP)

  const stillOpen = open.filter((a) => a.closedAt === null)
  const lit: WallSummary['lit'] = { enterprises: {}, hazardSources: {}, cameras: {} }
  const camerasOffline: string[] = []
  for (const a of stillOpen) {
    // Shelved and out-of-service alarms are not annunciated (ISA-18.2): they do not light the plan.
    if (a.state !== 'active' || a.disposal.overlay) continue
    light(lit.enterprises, a.enterprise, a.priority)
    light(lit.hazardSources, input.hazardSourceOf.get(a.point), a.priority)
    const camera = a.point.startsWith(CAMERA) ? a.point.slice(CAMERA.length) : undefined
    light(lit.cameras, camera, a.priority)
    if (camera !== undefined && a.kind === 'OFFLINE') camerasOffline.push(camera)
  }
  return {
    at: now,
    dayStart,
    today: {
      total: today.length,
      byPriority,
      closed,
      disposalRate: today.length === 0 ? null : Math.round((closed / today.length) * 10_000) / 10_000,
    },
    active: stillOpen.filter((a) => a.state === 'active').length,
    overdue: stillOpen.filter(input.overdue).length,
    perHour,
    topPoints,
    lit,
    camerasOffline,
  }
}

/** An open gas-leak warning as the wall lists it (issue 18: 红/橙/黄/蓝色预警 on the wall display). */
export interface WallGasWarning {
  id: number
  area: string
  areaName: string | null
  colour: WarningColour
  /** Detectors alarming at the last evaluation. */
  active: number
  /** When the warning opened. */
  since: number
}

/** The open gas-leak warnings, worst colour first, then the oldest. */
export function wallGasWarnings(
  open: readonly GasWarningRecord[],
  areaName: ReadonlyMap<string, string>,
): WallGasWarning[] {
  return open
    .filter((w) => w.state === 'open')
    .map((w) => ({
      id: w.id,
      area: w.area,
      areaName: areaName.get(w.area) ?? null,
      colour: w.colour,
      active: w.active.length,
      since: w.openedAt,
    }))
    .sort((a, b) => COLOURS.indexOf(b.colour) - COLOURS.indexOf(a.colour) || a.since - b.since || a.id - b.id)
}
