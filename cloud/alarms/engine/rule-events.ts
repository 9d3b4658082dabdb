import type { AlarmEvent } from '../../../shared/rules/evaluate.ts'
import type { TimelineEntry } from '../workflow.ts'
import { historicalMark, type AlarmWrite } from './writes.ts'

/**
 * A rule event of a live evaluation (shared/rules/evaluate.ts) as alarm writes: a raise opens
 * an alarm (one active per point and kind), a repeat is counted on the latched episode, a
 * recovery ends the active one. `historical`: from the edge's backlog, recorded, not notified.
 */
export function ruleEventWrite(e: AlarmEvent, historical: boolean): AlarmWrite {
  const mark = historicalMark(historical)
  if (e.type === 'raise') {
    const entries: TimelineEntry[] = [
      {
        at: e.ts,
        actor: 'system',
        action: 'raise',
        detail: { kind: e.kind, priority: e.priority, value: e.value, limit: e.limit, ...mark },
      },
    ]
    // Chattering (ISA-18.2 §16.6, brief §5: ≥ 3 raises in 60 s): this episode is latched (held
    // until clear for clearHoldS), for the operator to shelve it or ask for a deadband or delay.
    if (e.chattering)
      entries.push({
        at: e.ts,
        actor: 'system',
        action: 'chattering',
        detail: { raises: e.chattering.raises, windowS: e.chattering.windowS, latched: true },
      })
    return {
      type: 'raise',
      alarm: { point: e.point, kind: e.kind, priority: e.priority, raisedAt: e.ts, value: e.value, limit: e.limit },
      entries,
      tell: [{ action: 'raise', at: e.ts, ...mark }],
    }
  }
  if (e.type === 'repeat') {
    // A raise within a latched episode: counted on it, not a new alarm (not announced either).
    const entry = stepFor(e.repeats)
      ? { at: e.ts, actor: 'system', action: 'repeat' as const, detail: { repeats: e.repeats, value: e.value } }
      : null
    return { type: 'active', point: e.point, kind: e.kind, patch: { repeats: e.repeats }, entry, tell: [] }
  }
  const repeats = e.repeats === undefined ? {} : { repeats: e.repeats }
  return {
    type: 'active',
    point: e.point,
    kind: e.kind,
    patch: { state: 'recovered', recoveredAt: e.ts, recoveredValue: e.value, ...repeats },
    entry: { at: e.ts, actor: 'system', action: 'recover', detail: { value: e.value, ...repeats } },
    tell: [{ action: 'recover', at: e.ts, ...mark }],
  }
}

/**
 * Which suppressed repetitions of a latched episode get a timeline step: the first five, then
 * 10, 20, 50, 100, 200, 500 … (the count itself is on the alarm): a chattering point cannot
 * grow its timeline without bound.
 */
export function stepFor(repeats: number): boolean {
  if (repeats <= 5) return true
  const decade = 10 ** Math.floor(Math.log10(repeats))
  return [1, 2, 5].some((m) => repeats === m * decade)
}
