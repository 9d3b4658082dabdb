import type { Scope } from '../../auth/roles.ts'

/** Maintenance windows (故障点位申请): an enterprise requests, the park decides; approved ones suppress raises. */
export interface WindowRepo {
  /** Maintenance windows (故障点位申请): an enterprise requests, the park decides. */
  listWindows(filter: {
    scope: Scope
    status?: MaintenanceWindow['status']
    enterprise?: string
  }): Promise<MaintenanceWindow[]>
  getWindow(id: number, scope: Scope): Promise<MaintenanceWindow | null>
  requestWindow(request: WindowRequest, now: number, scope: Scope): Promise<WindowOutcome>
  decideWindow(id: number, decision: WindowDecision, now: number, scope: Scope): Promise<WindowOutcome>
}

export interface WindowRequest {
  enterprise: string
  points?: string[]
  /** Device ids (as edges announce them): all their points of this enterprise. */
  devices?: string[]
  from: number
  to: number
  reason: string
  by: string
}

export interface WindowDecision {
  decision: 'approve' | 'reject' | 'cancel'
  by: string
  note?: string
}

export interface MaintenanceWindow {
  id: number
  enterprise: string
  points: string[]
  from: number
  to: number
  reason: string
  requestedBy: string
  requestedAt: number
  status: 'requested' | 'approved' | 'rejected' | 'cancelled'
  decidedBy: string | null
  decidedAt: number | null
  decisionNote: string | null
  /** Raises the engine did not make because of this window. */
  suppressed: number
}

export type WindowOutcome =
  | { ok: true; window: MaintenanceWindow }
  | { ok: false; code: 'NOT_FOUND' | 'STATE_CONFLICT' | 'BAD_REQUEST'; message: string; window?: MaintenanceWindow }
