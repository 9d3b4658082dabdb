import type { AlarmEvent, PointRuleState } from '../../../shared/rules/evaluate.ts'
import type { AlarmWrite } from './writes.ts'

/**
 * Replay-aware rule state: live data first, the backlog's alarms still with their own times.
 *
 * When an edge comes back after an outage it sends live batches before its backlog
 * (edge/uplink/forward.ts). The cloud evaluates a live batch at once, against the point's live
 * state, so a crossing now is raised and notified now. Just before the live state jumps over
 * the outage, the point's state is copied (a `ReplayCopy`, stored by the adapter); the backlog
 * is then evaluated in seq order against that copy, so crossings during the outage are found
 * with their original times, and the live state is not disturbed by old samples.
 *
 * What a backlog evaluation finds is history: it is recorded, never notified (changes are told
 * `historical`, the dispatcher skips them), with one exception below.
 * - a raise is held (`open`) until its end is known;
 * - its recovery within the backlog writes a closed episode (raised and recovered then);
 * - a recovery of an alarm that was active before the outage recovers that alarm at its
 *   original time (or moves an earlier live recovery back to it);
 * - when the backlog below the resume point is done (`settleOpenRaise`), a raise still open is
 *   the beginning of the live alarm of the same kind if there is one (its raise time moves back
 *   to when the condition began); if there is none but the live state has the condition, the
 *   alarm is active now and nobody was told: it is raised and notified; otherwise it ended
 *   before live data resumed: a closed episode ending at the resume time.
 */
export interface OpenRaise {
  ts: number
  value: number
  limit: number
  priority: string
  /** Repetitions counted while the episode was latched as chattering (shared/rules/latch.ts). */
  repeats?: number
}

export interface ReplayCopy {
  point: string
  /** The point's live state when live data took over (null: none yet). */
  state: PointRuleState | null
  resumeTs: number
  open: Record<string, OpenRaise>
}

/** The newest alarm of a (point, kind) raised before the copy's resume time, as the engine needs it. */
export interface EarlierAlarm {
  id: number
  state: 'active' | 'recovered'
  recoveredAt: number | null
}

/**
 * One event of a backlog evaluation: the copy's open raises after it, and what to write.
 * `earlier(kind)`: the alarm of that kind raised before the outage (read only for a recovery
 * without an open raise).
 */
export function backlogEvent(
  copy: ReplayCopy,
  e: AlarmEvent,
  earlier: (kind: string) => EarlierAlarm | null,
): { open: Record<string, OpenRaise>; writes: AlarmWrite[] } {
  const open = { ...copy.open }
  if (e.type === 'raise') {
    open[e.kind] = { ts: e.ts, value: e.value, limit: e.limit, priority: e.priority }
    return { open, writes: [] }
  }
  const held = open[e.kind]
  if (e.type === 'repeat') {
    // Counted on the latched episode: the one open in the backlog, or the one active before it.
    if (held) open[e.kind] = { ...held, repeats: e.repeats }
    return {
      open,
      writes: held
        ? []
        : [
            {
              type: 'active',
              point: copy.point,
              kind: e.kind,
              before: copy.resumeTs,
              patch: { repeats: e.repeats },
              entry: null,
              tell: [],
            },
          ],
    }
  }
  if (held) {
    delete open[e.kind]
    return { open, writes: [episode(copy.point, e.kind, held, { ts: e.ts, value: e.value })] }
  }
  // The alarm was active when the outage began: it ended during the outage.
  const before = earlier(e.kind)
  if (!before || !(before.state === 'active' || (before.recoveredAt !== null && before.recoveredAt > e.ts)))
    return { open, writes: [] }
  const repeats = e.repeats === undefined ? {} : { repeats: e.repeats }
  const corrected = before.recoveredAt !== null ? { correctedFrom: before.recoveredAt } : {}
  return {
    open,
    writes: [
      {
        type: 'update',
        id: before.id,
        patch: { state: 'recovered', recoveredAt: e.ts, recoveredValue: e.value, ...repeats },
        entry: {
          at: e.ts,
          actor: 'system',
          action: 'recover',
          detail: { value: e.value, historical: true, ...corrected },
        },
        tell: [{ action: 'recover', at: e.ts, historical: true }],
      },
    ],
  }
}

/**
 * A raise still open when the backlog below the resume point is done (see above). `live`: the
 * active alarm of its kind now; `liveState`: the point's live rule state.
 */
export function settleOpenRaise(
  copy: ReplayCopy,
  kind: string,
  open: OpenRaise,
  live: { id: number; raisedAt: number } | null,
  liveState: PointRuleState | null,
): AlarmWrite | null {
  const raised = { kind, priority: open.priority, value: open.value, limit: open.limit }
  if (live) {
    if (live.raisedAt <= open.ts) return null
    return {
      type: 'update',
      id: live.id,
      patch: { raisedAt: open.ts, value: open.value, limit: open.limit },
      entry: {
        at: open.ts,
        actor: 'system',
        action: 'raise',
        detail: { ...raised, historical: true, firstSeenLiveAt: live.raisedAt },
      },
      tell: [],
    }
  }
  if (liveState && conditionActive(liveState, kind)) {
    // Active now and never announced: this one is notified.
    return {
      type: 'raise',
      alarm: {
        point: copy.point,
        kind,
        priority: open.priority,
        raisedAt: open.ts,
        value: open.value,
        limit: open.limit,
      },
      entries: [{ at: open.ts, actor: 'system', action: 'raise', detail: { ...raised, foundInBacklog: true } }],
      tell: [{ action: 'raise', at: open.ts }],
    }
  }
  return episode(copy.point, kind, open, { ts: copy.resumeTs, value: null }, { recoveredBeforeLiveData: true })
}

/** A closed episode from the backlog: raised and recovered during the outage. */
function episode(
  point: string,
  kind: string,
  raise: OpenRaise,
  recover: { ts: number; value: number | null },
  note: Record<string, unknown> = {},
): AlarmWrite {
  return {
    type: 'episode',
    alarm: {
      point,
      kind,
      priority: raise.priority,
      raisedAt: raise.ts,
      value: raise.value,
      limit: raise.limit,
      recovered: { at: recover.ts, value: recover.value },
      repeats: raise.repeats ?? 0,
    },
    entries: [
      {
        at: raise.ts,
        actor: 'system',
        action: 'raise',
        detail: { kind, priority: raise.priority, value: raise.value, limit: raise.limit, historical: true },
      },
      {
        at: recover.ts,
        actor: 'system',
        action: 'recover',
        detail: { value: recover.value, historical: true, ...note },
      },
    ],
    tell: [
      { action: 'raise', at: raise.ts, historical: true },
      { action: 'recover', at: recover.ts, historical: true },
    ],
  }
}

/** Whether the live state holds the condition of this kind. */
export function conditionActive(state: PointRuleState, kind: string): boolean {
  if (kind === 'ROC') return state.rate?.active === true
  if (kind === 'DIGITAL') return state.digital === true
  return (state.threshold.active as Record<string, unknown>)[kind] !== undefined
}
