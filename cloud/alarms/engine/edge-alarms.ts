import type { EdgeAlarm } from '../../../shared/wire/messages.ts'
import type { TimelineEntry } from '../workflow.ts'

/**
 * An alarm change the edge made locally: the cloud evaluated the same samples with the same
 * rules, so its own episode has the same point, kind and source time (`edgeAlarmMatch`). The
 * edge's part is noted on that episode's timeline (`edgeAlarmEntry`); there is never a second
 * episode. Unmatched (limits differ?) it is counted, not stored.
 */
export function edgeAlarmMatch(e: EdgeAlarm): {
  point: string
  kind: string
  at: 'raisedAt' | 'recoveredAt'
  ts: number
} {
  return { point: e.point, kind: e.kind, at: e.type === 'raise' ? 'raisedAt' : 'recoveredAt', ts: e.ts }
}

export function edgeAlarmEntry(edge: string, e: EdgeAlarm): TimelineEntry {
  return {
    at: e.ts,
    actor: `edge:${edge}`,
    action: e.type === 'raise' ? 'edge_raise' : 'edge_recover',
    detail: {
      value: e.value,
      ...(e.limit === undefined ? {} : { limit: e.limit }),
      ...(e.priority ? { priority: e.priority } : {}),
    },
  }
}
