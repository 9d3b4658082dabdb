import type { Priority } from '../../shared/rules/priority.ts'
import type { LimitKind } from '../../shared/rules/threshold.ts'
import type { VideoCode } from '../../shared/wire/camera.ts'
import type { DisposalFacts, TimelineEntry } from './workflow.ts'

/**
 * The alarm as the cloud knows it, shared by the alarm engine (cloud/alarms), the store's
 * repositories (cloud/store/repos) and notification policy (cloud/notify): types only, so
 * none of them imports another's module for its vocabulary.
 */

/** Alarms raised by watchers, not by samples: comm loss (STALE a point, OFFLINE an edge or camera), an edge's clock off (CLOCK on edge:{id}), and what an edge sent but does not own (SECURITY on edge:{id}). */
export type SystemAlarmKind = 'STALE' | 'OFFLINE' | 'CLOCK' | 'SECURITY'
/** Over-limit kinds, rate of change, digital state, system alarms; video AI alarms by their provincial code. */
export type AlarmKind = LimitKind | 'ROC' | 'DIGITAL' | SystemAlarmKind | VideoCode

/**
 * ISA-18.2 overlays a person puts on a stored alarm (cloud/alarms/isa.ts): shelving for a
 * limited time with a reason, and taking the alarm out of service.
 */
export type IsaAction =
  | { type: 'shelve'; by: string; reason: string; until: number }
  | { type: 'unshelve'; by: string }
  | { type: 'remove_from_service'; by: string; reason: string }
  | { type: 'return_to_service'; by: string }

export interface AlarmRecord {
  id: number
  point: string
  pointName: string | null
  enterprise: string | null
  kind: AlarmKind
  priority: Priority
  raisedAt: number
  value: number
  limit: number
  recoveredAt: number | null
  recoveredValue: number | null
  state: 'active' | 'recovered'
  /** Closed by a person: a separate fact from recovered. */
  closedAt: number | null
  disposal: DisposalFacts
  /** Raises counted on the episode while latched as chattering (shared/rules/latch.ts); absent: 0. */
  repeats?: number
}

/** Told after every committed change of an alarm (raise, recover, a person's step, a reminder). */
export interface AlarmChange {
  alarm: number
  action: TimelineEntry['action']
  at: number
  /** From a batch the edge replayed from its backlog: recorded, not notified. */
  historical?: boolean
}

/** An alarm change read back from the timeline, with the entry's id (the stream's event id). */
export interface TimelineChange {
  id: number
  change: AlarmChange
}

export type AlarmActOutcome =
  | { ok: true; alarm: AlarmRecord }
  | { ok: false; code: 'NOT_FOUND' | 'ALARM_STATE_CONFLICT' | 'BAD_REQUEST'; message: string; alarm?: AlarmRecord }
