/** The shapes the dashboard reads from the API (only the fields it uses). */
export interface Limits {
  hh?: number | null
  h?: number | null
  l?: number | null
  ll?: number | null
  deadband?: number
}

export interface PointView {
  id: string
  name: string | null
  unit: string
  enterprise: string | null
  class: string | null
  hazardSource: string | null
  area: string | null
  edge: string | null
  limits: Limits | null
  range: { low: number; high: number } | null
  latest: {
    ts: number
    value: number | boolean | string | null
    quality: 'good' | 'uncertain' | 'bad'
    reason?: string
  } | null
}

export interface AlarmView {
  id: number
  point: string
  pointName: string | null
  enterprise: string | null
  kind: string
  priority: 'S' | 'A' | 'B' | 'C' | 'D'
  raisedAt: number
  value: number
  limit: number
  recoveredAt: number | null
  state: 'active' | 'recovered'
  closedAt: number | null
  /** Raises held on this alarm while latched as chattering. */
  repeats?: number
  overdue: boolean
  responseDueAt: number | null
  nextRecontactAt: number | null
  disposal: {
    ack: { by: string; at: number } | null
    triage: { verdict: string; by: string; at: number; note: string } | null
    feedback: { cause: string; measures: string; by: string; at: number } | null
    closed: { by: string; at: number; note: string } | null
    /** ISA-18.2 overlay: shelved (until, with a reason) or out of service; null or absent: annunciated. */
    overlay?: {
      kind: 'shelved' | 'suppressed' | 'out_of_service'
      by?: string
      reason?: string
      since: number
      until?: number
    } | null
  }
  provincial: Record<string, string | number | null>
}

export interface Board {
  at: number
  onScreen: AlarmView[]
  observation: AlarmView[]
  recoveredNotClosed: AlarmView[]
  carriedOver: AlarmView[]
  shelved: AlarmView[]
}

export interface TimelineEntry {
  at: number
  actor: string
  action: string
  detail: Record<string, unknown>
}

export interface EdgeView {
  id: string
  site: string
  online: boolean
  offlineReason: string | null
  lastSeen: number | null
  outbox: { samples: number; bytes: number; oldestTs: number | null } | null
  drivers: Array<{ device: string; kind: string; state: string; lastError: string | null }>
  /** Its clock minus the platform's (ms), null until estimated (issue 14). */
  clockOffsetMs: number | null
  /** The config hash it runs, the one the park expects (last accepted push) and whether they differ (issue 19). */
  configHash?: string | null
  expectedConfigHash?: string | null
  drift?: boolean
  lastPush?: { outcome: string | null; error: { code: string; message: string } | null } | null
}
