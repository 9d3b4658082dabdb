import type { AlarmRecord } from '../alarms/model.ts'

/** A generated report as stored (cloud/reports/; issue 18). */
export interface StoredReport {
  id: number
  name: string
  kind: string
  title: string
  from: number
  to: number
  /** The parameters it was made with (definition fields, time zone, note …): enough to make it again. */
  params: Record<string, unknown>
  files: ReportFile[]
  /** The period held no data: the report says so. */
  empty: boolean
  trigger: 'schedule' | 'catch_up' | 'manual'
  requestedBy: string
  generatedAt: number
  durationMs: number
}

export interface ReportFile {
  format: string
  /** Relative to the reports folder. */
  file: string
  bytes: number
  sha256: string
}

export interface EnterpriseSummary {
  id: string
  name: string
  /** Registered points of the enterprise. */
  points: number
}

/**
 * What reports read (read-only, over the whole park: reports are the park's documents) and the
 * catalog of generated reports. Times are epoch ms; ranges are [from, to).
 */
export interface ReportStore {
  /** Alarms raised in [from, to), oldest first. */
  alarmsRaised(range: { from: number; to: number }): Promise<AlarmRecord[]>
  /** Alarms raised before `at` and not closed by a person at `at` (carried over at a handover). */
  alarmsOpenAt(at: number): Promise<AlarmRecord[]>
  /** Comm-loss episodes (STALE points, OFFLINE edges and cameras) overlapping [from, to), oldest first. */
  offlineEpisodes(range: { from: number; to: number }): Promise<AlarmRecord[]>
  enterprises(): Promise<EnterpriseSummary[]>
  save(report: Omit<StoredReport, 'id'>): Promise<StoredReport>
  /** Newest first. */
  list(filter: { name?: string; from?: number; to?: number; limit: number }): Promise<StoredReport[]>
  get(id: number): Promise<StoredReport | null>
  /** The newest generation of `name` covering exactly [from, to), if any. */
  find(name: string, range: { from: number; to: number }): Promise<StoredReport | null>
}
