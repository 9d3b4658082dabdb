import type { Scope } from '../auth/roles.ts'
import type { MaintenanceWindow, WindowDecision, WindowOutcome, WindowRequest } from './repos/windows.ts'

/**
 * The maintenance windows' rules (故障点位申请), engine-neutral: what a request may ask for and
 * which decision fits which state. Both engines (cloud/store/sqlite/windows.ts,
 * cloud/store/postgres/windows.ts) read and write the rows; the answers come from here, so the
 * API cannot tell the engines apart.
 */

type Refusal = Extract<WindowOutcome, { ok: false }>

/** A request refused before its points are looked up: outside the scope, or a span that is no window. */
export function requestRefusal(r: WindowRequest, now: number, scope: Scope): Refusal | null {
  if (scope !== 'all' && scope.enterprise !== r.enterprise)
    return { ok: false, code: 'NOT_FOUND', message: `no enterprise ${r.enterprise}` }
  if (!(r.to > r.from)) return { ok: false, code: 'BAD_REQUEST', message: 'the window must end after it starts' }
  if (r.to <= now) return { ok: false, code: 'BAD_REQUEST', message: 'the window has already ended' }
  return null
}

/** The points a request names, its devices' points added (devices are resolved now: the approval covers what was asked for). */
export const wantedPoints = (r: WindowRequest, fromDevices: readonly string[]): string[] => [
  ...new Set([...(r.points ?? []), ...fromDevices]),
]

/** Refused when the window covers nothing, or a point the registry does not give to the enterprise. */
export function pointsRefusal(
  r: WindowRequest,
  wanted: readonly string[],
  known: ReadonlyArray<{ id: string; enterprise: string | null }>,
): Refusal | null {
  if (wanted.length === 0)
    return {
      ok: false,
      code: 'BAD_REQUEST',
      message: 'the window covers no points: name points, or devices that have points of this enterprise',
    }
  const foreign = wanted.filter((p) => known.find((k) => k.id === p)?.enterprise !== r.enterprise)
  if (foreign.length > 0)
    return {
      ok: false,
      code: 'BAD_REQUEST',
      message: `not points of enterprise ${r.enterprise}: ${foreign.slice(0, 10).join(', ')}`,
    }
  return null
}

/** The row a checked request is stored as. */
export const requestedRow = (r: WindowRequest, points: string[], now: number) => ({
  enterprise: r.enterprise,
  points,
  from: r.from,
  to: r.to,
  reason: r.reason,
  requestedBy: r.by,
  requestedAt: now,
  status: 'requested' as const,
})

const PAST = { approve: 'approved', reject: 'rejected', cancel: 'cancelled' } as const

/**
 * A decision on the window as stored: the columns it sets, or the refusal. Approve and reject
 * take a requested window; cancel also an approved one, which then ends now (it may have
 * covered the past). An ended window cannot be approved.
 */
export function decideWindowRow(
  current: MaintenanceWindow,
  d: WindowDecision,
  now: number,
):
  | Refusal
  | {
      ok: true
      set: Pick<MaintenanceWindow, 'status' | 'to' | 'decidedBy' | 'decidedAt' | 'decisionNote'>
    } {
  const allowed = d.decision === 'cancel' ? ['requested', 'approved'] : ['requested']
  if (!allowed.includes(current.status))
    return {
      ok: false,
      code: 'STATE_CONFLICT',
      message: `the window is ${current.status}: it cannot be ${PAST[d.decision]}`,
      window: current,
    }
  if (d.decision === 'approve' && current.to <= now)
    return { ok: false, code: 'STATE_CONFLICT', message: 'the window has already ended', window: current }
  const to =
    d.decision === 'cancel' && current.status === 'approved'
      ? Math.max(current.from, Math.min(current.to, now))
      : current.to
  return {
    ok: true,
    set: { status: PAST[d.decision], to, decidedBy: d.by, decidedAt: now, decisionNote: d.note ?? null },
  }
}

export const noWindow = (id: number): Refusal => ({
  ok: false,
  code: 'NOT_FOUND',
  message: `no maintenance window ${id}`,
})
