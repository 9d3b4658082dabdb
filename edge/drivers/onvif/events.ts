import type { EventMapping } from './config.ts'

/**
 * ONVIF notifications (as the onvif package's parser leaves them: tags without prefixes, first
 * letter lower-cased, attributes under `$`, values linerased) → what parklink does with them.
 * Pure: no I/O.
 */
export interface Notification {
  topic: string
  /** The event's own time (tt:Message/@UtcTime); null when the camera sent none. */
  ts: number | null
  /** Data items: IsInside, State, IsMotion … */
  data: Record<string, unknown>
}

type Obj = Record<string, unknown>
const obj = (v: unknown): Obj | null => (typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Obj) : null)
const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : v === undefined || v === null ? [] : [v])

export function parseNotifications(response: unknown): Notification[] {
  const out: Notification[] = []
  for (const raw of list(obj(response)?.notificationMessage)) {
    const m = obj(raw)
    if (!m) continue
    const topicNode = m.topic
    const topic = typeof topicNode === 'string' ? topicNode : String(obj(topicNode)?._ ?? '')
    const message = obj(obj(m.message)?.message)
    const attrs = obj(message?.$)
    const utc = attrs?.UtcTime
    const ts =
      utc instanceof Date
        ? utc.getTime()
        : typeof utc === 'string' && !Number.isNaN(Date.parse(utc))
          ? Date.parse(utc)
          : null
    const data: Record<string, unknown> = {}
    for (const item of list(obj(message?.data)?.simpleItem)) {
      const a = obj(obj(item)?.$)
      if (a && typeof a.Name === 'string') data[a.Name] = a.Value
    }
    if (topic.trim() !== '') out.push({ topic: topic.trim(), ts, data })
  }
  return out
}

/** The first mapping whose topic equals the event's topic or is a prefix of it (a level). */
export function mappingFor(topic: string, mappings: readonly EventMapping[]): EventMapping | null {
  return mappings.find((m) => topic === m.topic || topic.startsWith(`${m.topic}/`)) ?? null
}

/**
 * A stateful detector reports a boolean data item (IsInside, State, IsMotion, IsTamper …): true
 * raises, false clears. An event without one (a line crossed) is instantaneous: a pulse.
 */
export function transitionOf(n: Notification): 'raise' | 'clear' | 'pulse' {
  for (const v of Object.values(n.data)) {
    if (v === true || v === 'true') return 'raise'
    if (v === false || v === 'false') return 'clear'
  }
  return 'pulse'
}
