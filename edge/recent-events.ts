/**
 * A bounded ring of the agent's recent warnings and errors, for the local console: the log's
 * JSON lines are teed into it (a pino destination), so whatever the agent logs at warn or above
 * — a device timing out, a refused config, samples lost — is visible on site without journald.
 */
export interface RecentEvent {
  at: number
  level: 'warn' | 'error' | 'fatal'
  msg: string
  /** The device, component and error text the line carried, when it did. */
  device?: string
  component?: string
  err?: string
  hint?: string
}

export interface RecentEvents {
  /** pino destination: one JSON line per call (pino.multistream gives it the warn+ lines). */
  write(line: string): void
  add(event: RecentEvent): void
  /** Newest first. */
  list(): RecentEvent[]
}

const LEVELS: Record<number, RecentEvent['level']> = { 40: 'warn', 50: 'error', 60: 'fatal' }
const text = (v: unknown, max = 500): string | undefined => (typeof v === 'string' ? v.slice(0, max) : undefined)

export function createRecentEvents(capacity = 100): RecentEvents {
  const ring: RecentEvent[] = []
  const add = (e: RecentEvent) => {
    ring.push(e)
    if (ring.length > capacity) ring.splice(0, ring.length - capacity)
  }
  return {
    add,
    write(line) {
      for (const part of line.split('\n')) {
        if (part.trim() === '') continue
        let o: Record<string, unknown>
        try {
          o = JSON.parse(part) as Record<string, unknown>
        } catch {
          continue // not a log line: nothing to show
        }
        const level = LEVELS[Number(o.level)]
        if (!level) continue
        const event: RecentEvent = { at: typeof o.time === 'number' ? o.time : 0, level, msg: text(o.msg) ?? '' }
        const device = text(o.device, 64)
        const component = text(o.component, 64)
        const err = text(o.err) ?? text((o.err as { message?: unknown } | undefined)?.message)
        const hint = text(o.hint)
        add({
          ...event,
          ...(device ? { device } : {}),
          ...(component ? { component } : {}),
          ...(err ? { err } : {}),
          ...(hint ? { hint } : {}),
        })
      }
    },
    list: () => ring.slice().reverse(),
  }
}
