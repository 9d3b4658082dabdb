/** GET /api/v1/kpi/park's answer (cloud/alarms/park-kpi.ts and routes/kpi.ts), the fields the page reads. */
export interface ParkKpiView {
  from: number
  to: number
  days: Array<{
    start: number
    date: string
    total: number
    busyHours: number
    hours: number
    valid: number
    aClass: number
    stale: number
    fleeting: number
    offline: number
    repeatingPoints: number
  }>
  hourly: Array<{ start: number; count: number }>
  perDay: Record<'total' | 'valid' | 'aClass' | 'stale' | 'fleeting' | 'offline' | 'repeatingPoints', number>
  perHour: number
  busyHourPercent: number
  repeatingPoints: Array<{ point: string; pointName: string | null; raises: number; days: number }>
  fleetingS: number
  truncated: boolean
  isa: { floodPercent: number; chattering: Array<{ point: string; bursts: number }>; suppressedRepeats: number }
}
