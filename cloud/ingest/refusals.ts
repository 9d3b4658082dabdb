import type { Logger } from 'pino'
import type { Clock } from '../../shared/clock.ts'
import { ErrorCodes, errorMessage } from '../../shared/errors.ts'
import type { Priority } from '../../shared/rules/priority.ts'
import { RefusedReasons, type CloudMetrics, type RefusedReason } from '../metrics.ts'
import type { Store } from '../store/store.ts'
import type { Refusals } from './screen.ts'

const CODES: Record<RefusedReason, string> = {
  foreign_point: ErrorCodes.FOREIGN_POINT,
  foreign_camera: ErrorCodes.FOREIGN_CAMERA,
  unrequested_snapshot: ErrorCodes.UNREQUESTED_SNAPSHOT,
}
const HINTS: Record<RefusedReason, string> = {
  foreign_point:
    'if this edge should send the point, move it to this edge with PUT /api/v1/registry/points/{id}/edge (park admin); otherwise check the edge for a copied point id or a stolen password',
  foreign_camera:
    'if this edge should send the camera, move it with PUT /api/v1/registry/cameras/{id}/edge (park admin); otherwise check the edge',
  unrequested_snapshot:
    "snapshots are linked only to requests the cloud sent to this edge (or to its own camera's events); a request older than a day or from before a cloud restart is not linked",
}

export interface RefusalReporter {
  /** Counts the refusals, logs each (edge, id) once, and raises a security event for the new ones. */
  report(edge: string, refused: Refusals): Promise<void>
}

/**
 * What an edge sent but does not own (issue 13): counted per item by reason in /api/v1/health,
 * logged once per (edge, id) while the process runs, and a security event for the park (a
 * SECURITY alarm on `edge:{id}` with the reason and ids in its timeline, and an audit entry)
 * for every id not refused before. The ids remembered are bounded: beyond `maxRemembered` the
 * memory starts over (one more log line and alarm step per id, never more per message).
 */
export function createRefusalReporter(o: {
  store: Store
  clock: Clock
  log: Logger
  metrics: CloudMetrics
  priority?: Priority
  maxRemembered?: number
}): RefusalReporter {
  const seen = new Set<string>()
  const max = o.maxRemembered ?? 100_000
  return {
    async report(edge, refused) {
      for (const reason of Object.values(RefusedReasons)) {
        const items = refused[reason]
        if (items.size === 0) continue
        for (const n of items.values()) o.metrics.ingest.refused[reason] += n
        const fresh = [...items.keys()].filter((id) => !seen.has(`${edge}\n${reason}\n${id}`))
        if (fresh.length === 0) continue
        if (seen.size + fresh.length > max) seen.clear()
        for (const id of fresh) {
          seen.add(`${edge}\n${reason}\n${id}`)
          o.log.warn(
            { edge, id, reason, code: CODES[reason], hint: HINTS[reason] },
            'refused: the edge does not own this (logged once per edge and id)',
          )
        }
        try {
          const r = await o.store.recordSecurityEvent({
            edge,
            reason,
            code: CODES[reason],
            items: fresh,
            at: o.clock.now(),
            priority: o.priority ?? 'A',
          })
          if (r.raised)
            o.log.error(
              { edge, reason, alarm: r.alarm, items: fresh.length },
              'security event: SECURITY alarm raised on the edge',
            )
        } catch (err) {
          // The edge's own data is stored either way; the log lines above keep the refusal.
          o.log.error({ edge, reason, err: errorMessage(err) }, 'security event not recorded')
        }
      }
    },
  }
}
