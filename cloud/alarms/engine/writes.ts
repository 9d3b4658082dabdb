import type { AlarmChange } from '../model.ts'
import type { TimelineEntry } from '../workflow.ts'

/**
 * What the alarm engine decided, for a storage adapter to save (cloud/store/sqlite/alarm-writes.ts
 * today): plain data, no SQL. Each write names the timeline entries it appends (append-only)
 * and the changes to tell once committed (`tell`, without the alarm id the adapter learns).
 */
export interface NewAlarm {
  point: string
  kind: string
  priority: string
  raisedAt: number
  value: number
  limit: number
  /** Set: a closed episode (raised and recovered), stored as such. */
  recovered?: { at: number; value: number | null }
  repeats?: number
}

/** Fields of a stored alarm the engine may change. */
export interface AlarmPatch {
  state?: 'active' | 'recovered'
  raisedAt?: number
  value?: number
  limit?: number
  recoveredAt?: number
  recoveredValue?: number | null
  repeats?: number
}

export type ChangeNote = Omit<AlarmChange, 'alarm'>

export type AlarmWrite =
  /** A new active alarm unless one of its (point, kind) is active already (then nothing). */
  | {
      type: 'raise'
      alarm: NewAlarm
      entries: TimelineEntry[]
      tell: ChangeNote[]
      andThen?: { patch: AlarmPatch; entry: TimelineEntry; tell: ChangeNote[] }
    }
  /** A closed episode, always written (it cannot collide with an active alarm). */
  | { type: 'episode'; alarm: NewAlarm; entries: TimelineEntry[]; tell: ChangeNote[] }
  /** The active alarm of (point, kind) — raised before `before` when set — changed, if there is one. */
  | {
      type: 'active'
      point: string
      kind: string
      before?: number
      patch: AlarmPatch
      entry: TimelineEntry | null
      tell: ChangeNote[]
    }
  /** A known alarm changed. */
  | { type: 'update'; id: number; patch: AlarmPatch; entry: TimelineEntry; tell: ChangeNote[] }

/** The change notes with the alarm's id: what the stream and the push planner are told. */
export const changesOf = (alarm: number, notes: readonly ChangeNote[]): AlarmChange[] =>
  notes.map((n) => ({ alarm, ...n }))

export const historicalMark = (historical: boolean): { historical?: true } => (historical ? { historical: true } : {})
