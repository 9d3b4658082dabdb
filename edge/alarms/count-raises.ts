import type { LocalAlarms } from './local.ts'

/** The local alarms, counting every raise they report by priority into `byPriority` (issue 16, /metrics). */
export function countLocalRaises(local: LocalAlarms, byPriority: Record<string, number>): LocalAlarms {
  return {
    process(samples) {
      const changes = local.process(samples)
      for (const c of changes)
        if (c.type === 'raise') {
          const p = c.priority ?? 'none'
          byPriority[p] = (byPriority[p] ?? 0) + 1
        }
      return changes
    },
    active: () => local.active(),
    close: () => local.close(),
  }
}
