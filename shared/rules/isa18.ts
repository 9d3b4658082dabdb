/**
 * The alarm state model of ANSI/ISA-18.2-2016 §11 (Figure 5, "alarm state transition
 * diagram"), pure: no clock, no I/O. Times come in with the events.
 *
 * Two facts make up an alarm's state:
 * - the PROCESS condition (is the value beyond its limit now?), driven by the rules, and
 * - the OPERATOR's acknowledgement, driven by people.
 * Together they give the four core states: normal (A), active/unacknowledged (B),
 * active/acknowledged (C), returned-to-normal/unacknowledged (D). On top of them an alarm may
 * be shelved (F: by a person, for a limited time, with a reason), suppressed by design (G: here,
 * by an approved maintenance window), or out of service (H). While shelved, suppressed or out of
 * service the condition is still tracked, but the alarm is not annunciated; when the overlay
 * ends, an alarm whose condition is still active comes back unacknowledged (§11.3.6–11.3.8).
 *
 * Latching (E) is not modelled: parklink's alarms clear with the process and stay on the board
 * until a person closes them, which the park's workflow (not this machine) handles.
 */
export type CoreState = 'normal' | 'unack' | 'acked' | 'rtn_unack'

export type Overlay =
  | { kind: 'shelved'; by: string; reason: string; since: number; until: number }
  /** Every approved window covering the point now; the alarm resumes when the last one ends. */
  | { kind: 'suppressed'; windows: readonly string[]; since: number }
  | { kind: 'out_of_service'; by: string; reason: string; since: number }

export interface AlarmState {
  core: CoreState
  /** The process condition, kept up to date under any overlay. */
  conditionActive: boolean
  /** Shelved, suppressed or out of service; null when annunciated normally. */
  overlay: Overlay | null
  /** When `core` last changed, or the alarm was annunciated again after an overlay (event time). */
  since: number
}

export type AlarmEvent =
  | { type: 'activate'; ts: number }
  | { type: 'clear'; ts: number }
  | { type: 'ack'; ts: number; by: string }
  | { type: 'shelve'; ts: number; by: string; reason: string; until: number }
  | { type: 'unshelve'; ts: number; by: string }
  /** The shell's timer: a shelve ends by itself at `until` (§11.3.6: shelving is time-limited). */
  | { type: 'shelve_expired'; ts: number }
  | { type: 'suppress'; ts: number; window: string }
  | { type: 'unsuppress'; ts: number; window: string }
  | { type: 'remove_from_service'; ts: number; by: string; reason: string }
  | { type: 'return_to_service'; ts: number; by: string }

export type AlarmEventType = AlarmEvent['type']

/** Whether the operator is being asked to look: the alarm shows and needs acknowledging. */
export const isAnnunciated = (s: AlarmState): boolean =>
  s.overlay === null && (s.core === 'unack' || s.core === 'acked' || s.core === 'rtn_unack')

export const normalState = (ts: number): AlarmState => ({
  core: 'normal',
  conditionActive: false,
  overlay: null,
  since: ts,
})

export type TransitionResult =
  | { ok: true; state: AlarmState; changed: boolean }
  | { ok: false; code: 'INVALID_TRANSITION'; message: string; state: AlarmState }

const refuse = (state: AlarmState, message: string): TransitionResult => ({
  ok: false,
  code: 'INVALID_TRANSITION',
  message,
  state,
})
const to = (state: AlarmState, patch: Partial<AlarmState>, ts: number): TransitionResult => {
  const next = { ...state, ...patch }
  // An overlay ending annunciates the alarm anew, even in the core state it had before.
  if (next.core !== state.core || (state.overlay !== null && next.overlay === null)) next.since = ts
  const changed =
    next.core !== state.core || next.conditionActive !== state.conditionActive || next.overlay !== state.overlay
  return { ok: true, state: changed ? next : state, changed }
}

/** OOS outranks a maintenance window, which outranks a shelve: a weaker overlay cannot replace a stronger one. */
const RANK = { shelved: 1, suppressed: 2, out_of_service: 3 } as const

/** The core state an alarm resumes in when its overlay ends (§11.3.6–11.3.8). */
const resumed = (conditionActive: boolean): CoreState => (conditionActive ? 'unack' : 'normal')

export function transition(state: AlarmState, event: AlarmEvent): TransitionResult {
  const { ts } = event
  const overlay = state.overlay
  switch (event.type) {
    case 'activate': {
      if (overlay !== null) return to(state, { conditionActive: true }, ts)
      if (state.core === 'normal' || state.core === 'rtn_unack')
        return to(state, { core: 'unack', conditionActive: true }, ts)
      return to(state, { conditionActive: true }, ts) // already active: nothing new
    }
    case 'clear': {
      if (overlay !== null) return to(state, { conditionActive: false }, ts)
      if (state.core === 'unack') return to(state, { core: 'rtn_unack', conditionActive: false }, ts)
      if (state.core === 'acked') return to(state, { core: 'normal', conditionActive: false }, ts)
      return to(state, { conditionActive: false }, ts)
    }
    case 'ack': {
      if (overlay !== null)
        return refuse(state, `cannot acknowledge an alarm that is ${overlay.kind.replace(/_/g, ' ')}`)
      if (state.core === 'unack') return to(state, { core: 'acked' }, ts)
      if (state.core === 'rtn_unack') return to(state, { core: 'normal' }, ts)
      return refuse(
        state,
        state.core === 'acked'
          ? 'the alarm is already acknowledged'
          : 'the alarm is not active: nothing to acknowledge',
      )
    }
    case 'shelve': {
      if (!(event.until > ts))
        return refuse(state, 'a shelve needs an end time after its start (shelving is time-limited)')
      if (!event.reason.trim()) return refuse(state, 'a shelve needs a reason')
      if (overlay !== null && RANK[overlay.kind] > RANK.shelved)
        return refuse(state, `cannot shelve an alarm that is ${overlay.kind.replace(/_/g, ' ')}`)
      if (overlay === null && state.core === 'normal') return refuse(state, 'only an annunciated alarm can be shelved')
      return to(
        state,
        { overlay: { kind: 'shelved', by: event.by, reason: event.reason, since: ts, until: event.until } },
        ts,
      )
    }
    case 'unshelve':
    case 'shelve_expired': {
      if (overlay?.kind !== 'shelved') return refuse(state, 'the alarm is not shelved')
      if (event.type === 'shelve_expired' && ts < overlay.until) return refuse(state, 'the shelve has not expired yet')
      return to(state, { overlay: null, core: resumed(state.conditionActive) }, ts)
    }
    case 'suppress': {
      if (overlay?.kind === 'out_of_service') return refuse(state, 'the alarm is out of service')
      if (overlay?.kind === 'suppressed') {
        if (overlay.windows.includes(event.window)) return to(state, {}, ts)
        return to(state, { overlay: { ...overlay, windows: [...overlay.windows, event.window] } }, ts)
      }
      // A window replaces a shelve: the shelve's purpose is served, and it must not resume later.
      return to(state, { overlay: { kind: 'suppressed', windows: [event.window], since: ts } }, ts)
    }
    case 'unsuppress': {
      if (overlay?.kind !== 'suppressed' || !overlay.windows.includes(event.window))
        return refuse(state, `the alarm is not suppressed by window ${event.window}`)
      const windows = overlay.windows.filter((w) => w !== event.window)
      if (windows.length > 0) return to(state, { overlay: { ...overlay, windows } }, ts)
      return to(state, { overlay: null, core: resumed(state.conditionActive) }, ts)
    }
    case 'remove_from_service': {
      if (!event.reason.trim()) return refuse(state, 'taking an alarm out of service needs a reason')
      if (overlay?.kind === 'out_of_service') return refuse(state, 'the alarm is already out of service')
      return to(state, { overlay: { kind: 'out_of_service', by: event.by, reason: event.reason, since: ts } }, ts)
    }
    // Back in service, the alarm resumes from its condition; a maintenance window still covering
    // the point is applied again by the shell (which knows the windows), with `suppress`.
    case 'return_to_service': {
      if (overlay?.kind !== 'out_of_service') return refuse(state, 'the alarm is not out of service')
      return to(state, { overlay: null, core: resumed(state.conditionActive) }, ts)
    }
  }
}

/** Applies events in order, stopping at the first refusal. For tests and replays. */
export function run(state: AlarmState, events: readonly AlarmEvent[]): TransitionResult {
  let current: TransitionResult = { ok: true, state, changed: false }
  for (const e of events) {
    const next = transition(current.state, e)
    if (!next.ok) return next
    current = { ok: true, state: next.state, changed: current.changed || next.changed }
  }
  return current
}
