import type { AlarmRecord } from './model.ts'

/**
 * The big screen's zones (报警上屏, brief §5, 001:L2580). An alarm leaves the screen only when a
 * person closes it; every open alarm is in exactly one zone:
 * - carriedOver: raised before the current shift began and still not closed (handover);
 * - onScreen: active, not yet confirmed valid;
 * - observation: active and triaged valid — being tracked with the enterprise;
 * - recoveredNotClosed: the value came back, the alarm is not closed yet.
 */
export interface BoardZones<T> {
  shiftStart: number
  onScreen: T[]
  observation: T[]
  recoveredNotClosed: T[]
  carriedOver: T[]
  /** Shelved or out of service: open, but not annunciated (ISA-18.2). */
  shelved: T[]
}

/** The start of the shift containing `now`: the latest handover time (HH:MM at `utcOffset`) not after now. */
export function shiftStartAt(now: number, changes: readonly string[], utcOffset: string): number {
  const sign = utcOffset.startsWith('-') ? -1 : 1
  const [oh, om] = utcOffset.slice(1).split(':').map(Number) as [number, number]
  const offsetMs = sign * (oh * 60 + om) * 60_000
  const local = now + offsetMs
  const dayStart = Math.floor(local / 86_400_000) * 86_400_000
  const candidates = changes
    .map((c) => c.split(':').map(Number) as [number, number])
    .flatMap(([h, m]) => [dayStart + (h * 60 + m) * 60_000, dayStart - 86_400_000 + (h * 60 + m) * 60_000])
    .filter((t) => t <= local)
  return Math.max(...candidates) - offsetMs
}

export function boardZones<T extends AlarmRecord>(open: readonly T[], shiftStart: number): BoardZones<T> {
  const zones: BoardZones<T> = {
    shiftStart,
    onScreen: [],
    observation: [],
    recoveredNotClosed: [],
    carriedOver: [],
    shelved: [],
  }
  for (const a of open) {
    if (a.closedAt !== null) continue
    if (a.disposal.overlay) zones.shelved.push(a)
    else if (a.raisedAt < shiftStart) zones.carriedOver.push(a)
    else if (a.state === 'recovered') zones.recoveredNotClosed.push(a)
    else if (a.disposal.triage?.verdict === 'valid') zones.observation.push(a)
    else zones.onScreen.push(a)
  }
  return zones
}
